/**
 * State, as in the reference implementation: a checkpoint holds the model (class, complete
 * arguments, weights), the optimizer and scheduler (class, arguments, state) and where training
 * stands; loading rebuilds all of them as live objects without the caller naming a class.
 */
import './files/node-sha256.js';
import * as tf from '@tensorflow/tfjs';
import type { AtomicWriteOptions } from './files/atomic-file.js';
import type { BundleSource } from '../core/bundle/byte-source.js';
import type { InputContract, TrainingEntry } from '../core/bundle/entries.js';
import { loadLive, type LoadOptions, type TrainingFactories } from '../tfjs/bundle/load-live.js';
import { archEntryOf } from '../tfjs/bundle/arch-entry.js';
import { tensorSource } from '../tfjs/bundle/tensor-bytes.js';
import type { WeightsDiff } from '../tfjs/bundle/weights-diff.js';
import { FORMAT_VERSION } from '../core/bundle/format.js';
import { bundleChunks, type BundleParts } from '../core/bundle/write-bundle.js';
import type { Classifier } from '../tfjs/classifier.js';
import { getRandomState, setRandomState, type RandomState } from '../core/random.js';
import type { TrainingOptimizer, TrainingScheduler } from '../tfjs/train/types.js';

export interface TrainingProgress {
  /** Training steps (batches) completed. */
  globalStep?: number;
  /** Metrics history, one record per logged point. */
  metrics?: Record<string, number | null>[];
}

export class State {
  /** What did not fit when this state was loaded non-strictly (empty otherwise). */
  diff: WeightsDiff = { missing: [], unexpected: [], mismatched: [] };
  /** The random stream as saved (a loaded state has already restored it). */
  random: RandomState;
  /** The format version of the bundle this state was loaded from; FORMAT_VERSION, the one saved, otherwise. */
  formatVersion: number = FORMAT_VERSION;

  /**
   * @param input the model's input contract, saved as input.json (labels, pixel scaling, shape);
   *   null saves none. A loaded state has the bundle's, or null when it holds none.
   */
  constructor(
    readonly model: Classifier,
    readonly optimizer?: TrainingOptimizer,
    readonly scheduler?: TrainingScheduler,
    readonly epoch = 0,
    readonly progress: TrainingProgress = {},
    public input: InputContract | null = null,
  ) {
    this.random = getRandomState();
  }

  get globalStep(): number {
    return this.progress.globalStep ?? 0;
  }

  get metrics(): Record<string, number | null>[] {
    return this.progress.metrics ?? [];
  }

  /** Creates the state and saves it atomically at `path`. */
  static async checkpoint(
    path: string,
    model: Classifier,
    optimizer?: TrainingOptimizer,
    scheduler?: TrainingScheduler,
    epoch = 0,
    progress: TrainingProgress = {},
    input: InputContract | null = null,
  ): Promise<State> {
    const state = new State(model, optimizer, scheduler, epoch, progress, input);
    await state.save(path);
    return state;
  }

  /**
   * Loads a bundle from a file path, a Buffer / Uint8Array, a Node stream, a web ReadableStream
   * or a `BundleFile`; returns live objects ready to continue, and restores the random stream.
   * Run no TF.js op while a load is in flight (await it): bytes are read straight into tensors.
   */
  static async load(source: string | BundleSource, options: LoadOptions = {}): Promise<State> {
    const input = typeof source === 'string' ? await openFile(source) : source;
    const loaded = await loadLive(input, { ...options, factories: options.factories ?? defaultFactories });
    const training = loaded.training;
    const progress = { globalStep: training.globalStep, metrics: training.metrics };
    const state = new State(loaded.model, loaded.optimizer, loaded.scheduler, training.epoch, progress, loaded.contents.input ?? null);
    state.diff = loaded.diff;
    state.formatVersion = loaded.contents.manifest.formatVersion;
    state.random = training.random;
    setRandomState(training.random);
    return state;
  }

  /**
   * Writes the bundle atomically: temp file in the same folder, fsync, rename, fsync the folder
   * (`{ fsync: false }` skips both fsyncs: still atomic when the process dies, not on power loss).
   */
  async save(path: string, options: AtomicWriteOptions = {}): Promise<void> {
    const { writeFileAtomic } = await import('./files/atomic-file.js');
    await this.withChunks((chunks) => writeFileAtomic(path, chunks, options));
  }

  /** The bundle as one buffer (for small models, tests and browsers). */
  async toBytes(): Promise<Uint8Array> {
    return this.withChunks(async (chunks) => {
      const parts: Uint8Array[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.byteLength;
      }
      return out;
    });
  }

  /** Streams the bundle's bytes to `consume`; optimizer state copies live only while it runs. */
  async withChunks<T>(consume: (chunks: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
    const optimizerState = this.optimizer?.getState();
    try {
      return await consume(bundleChunks(this.parts(optimizerState)));
    } finally {
      tf.dispose(optimizerState?.tensors.map((t) => t.tensor) ?? []);
    }
  }

  private parts(optimizerState: ReturnType<TrainingOptimizer['getState']> | undefined): BundleParts {
    const model = this.model;
    const training: TrainingEntry = {
      epoch: this.epoch,
      globalStep: this.globalStep,
      metrics: this.metrics,
      random: this.random,
    };
    return {
      arch: archEntryOf(model),
      ...(this.input ? { input: this.input } : {}),
      weights: model.namedWeights().map((w) => tensorSource(w.name, w.variable.read())),
      optimizer:
        this.optimizer && optimizerState
          ? {
              class: this.optimizer.className,
              args: { ...this.optimizer.args },
              learningRate: this.optimizer.learningRate,
              step: optimizerState.step,
              tensors: optimizerState.tensors.map((t) => tensorSource(t.name, t.tensor)),
            }
          : undefined,
      scheduler: this.scheduler
        ? { class: this.scheduler.className, args: { ...this.scheduler.args }, state: this.scheduler.getState() }
        : undefined,
      training,
      tfjsVersion: tf.version.tfjs,
    };
  }
}

async function openFile(path: string): Promise<BundleSource> {
  const { openBundleFile } = await import('./files/bundle-file.js');
  return openBundleFile(path);
}

/** The built-in registries (loaded on demand, so that importing State alone stays light). */
async function defaultFactories(): Promise<TrainingFactories> {
  return (await import('../tfjs/train/factories.js')).trainingFactories;
}
