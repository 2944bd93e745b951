/**
 * The TF.js layer of the reader: builds the model named by arch.json, streams weights.bin
 * straight into its variables one tensor at a time (so peak memory stays near one copy of the
 * weights), then restores optimizer and scheduler. Nothing is returned until every check,
 * checksums included, has passed; on any failure everything allocated here is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { instantiate, type Classifier } from '../classifier.js';
import { ArchbundleError } from '../../core/errors.js';
import type { NamedTensor, TrainingOptimizer, TrainingScheduler } from '../train/types.js';
import type { BundleSource } from '../../core/bundle/byte-source.js';
import type { TrainingEntry } from '../../core/bundle/entries.js';
import type { ReadLimits } from '../../core/bundle/format.js';
import { readBundle, type BundleContents, type TensorSink } from '../../core/bundle/read-bundle.js';
import { storageTarget, tensorFromBytes } from './tensor-bytes.js';
import type { TensorRecord } from '../../core/bundle/tensor-table.js';
import { diffWeights, isEmptyDiff, weightsMismatchError, type WeightsDiff } from './weights-diff.js';

/** How optimizer and scheduler classes named in a bundle become live objects. */
export interface TrainingFactories {
  createOptimizer(name: string, args: Record<string, unknown>): TrainingOptimizer;
  createScheduler(name: string, args: Record<string, unknown>, optimizer: TrainingOptimizer): TrainingScheduler;
}

export interface LoadOptions {
  /** Default true: any missing, unexpected or misfit weight fails with E_WEIGHTS_MISMATCH. */
  strict?: boolean;
  limits?: Partial<ReadLimits>;
  /** Optimizer and scheduler registries, or a function giving them (called only when the bundle holds an optimizer). */
  factories?: TrainingFactories | (() => Promise<TrainingFactories>);
}

export interface LoadedBundle {
  model: Classifier;
  optimizer?: TrainingOptimizer;
  scheduler?: TrainingScheduler;
  training: TrainingEntry;
  contents: BundleContents;
  /** What did not fit (always empty when strict). */
  diff: WeightsDiff;
}

export async function loadLive(source: BundleSource, options: LoadOptions = {}): Promise<LoadedBundle> {
  const strict = options.strict ?? true;
  let model: Classifier | undefined;
  let variables = new Map<string, tf.LayerVariable>();
  let diff: WeightsDiff = { missing: [], unexpected: [], mismatched: [] };
  const slots: NamedTensor[] = [];
  let optimizer: TrainingOptimizer | undefined;
  try {
    const contents = await readBundle(source, {
      limits: options.limits,
      receiver: {
        arch(arch) {
          // strict: every weight is overwritten or the load fails, so skip drawing initial values;
          // non-strict: a weight the bundle lacks keeps its normal initialisation
          model = instantiate(arch.class, arch.args, { placeholderWeights: strict });
        },
        table(group, records) {
          if (group !== 'weights') return;
          // records (and optimizer slots) already carry the current layer names: the reader
          // applied the renames of the migrations arch.json went through
          diff = diffWeights(model!, records);
          if (strict && !isEmptyDiff(diff)) throw weightsMismatchError(model!.className, diff);
          const misfit = new Set([...diff.unexpected, ...diff.mismatched.map((m) => m.name)]);
          variables = new Map(model!.namedWeights().filter((w) => !misfit.has(w.name)).map((w) => [w.name, w.variable]));
        },
        tensor(group, record) {
          if (group === 'optimizer') {
            return bufferSink(record, (tensor) => void slots.push({ name: record.name, tensor }));
          }
          const variable = variables.get(record.name);
          if (!variable) return undefined;
          const storage = storageTarget(variable.read());
          if (storage) return { target: storage };
          // assign shares the new tensor's data with the variable and frees the placeholder at once
          return bufferSink(record, (tensor) => {
            variable.write(tensor);
            tensor.dispose();
          });
        },
      },
    });
    const training = contents.training;
    let scheduler: TrainingScheduler | undefined;
    if (contents.optimizer) {
      const factories = await requireFactories(options.factories);
      const saved = contents.optimizer;
      optimizer = factories.createOptimizer(saved.class, saved.args);
      optimizer.learningRate = saved.learningRate;
      const trainable = model!.namedWeights().filter((w) => w.trainable).map((w) => ({ name: w.name, shape: w.variable.shape as number[] }));
      optimizer.setState({ step: saved.step, tensors: slots }, trainable);
      if (contents.scheduler) {
        scheduler = factories.createScheduler(contents.scheduler.class, contents.scheduler.args, optimizer);
        scheduler.setState(contents.scheduler.state);
        optimizer.learningRate = saved.learningRate;
      }
    }
    tf.dispose(slots.map((s) => s.tensor));
    return { model: model!, optimizer, scheduler, training, contents, diff };
  } catch (error) {
    tf.dispose(slots.map((s) => s.tensor));
    optimizer?.dispose();
    model?.dispose();
    throw error;
  }
}

async function requireFactories(factories: LoadOptions['factories']): Promise<TrainingFactories> {
  if (typeof factories === 'function') return factories();
  if (!factories) {
    throw new ArchbundleError('E_UNKNOWN_CLASS', 'bundle holds an optimizer, but no optimizer and scheduler registries were given to create it');
  }
  return factories;
}

/** Collects a tensor's bytes in one buffer, then hands over the tensor made from them. */
function bufferSink(record: TensorRecord, done: (tensor: tf.Tensor) => void): TensorSink {
  const target = new Uint8Array(record.byteLength);
  return { target, end: () => done(tensorFromBytes(record, target)) };
}
