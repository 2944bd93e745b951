/**
 * An unpickled PyTorch checkpoint as a live archbundle model (and optimizer): the reference
 * implementation's checkpoint dict, or a plain state_dict with the class and arguments given.
 * The class's arguments are validated by the registry, the weights must fill the model exactly,
 * and the report lists everything that was dropped and why.
 */
import * as tf from '@tensorflow/tfjs';
import { architectures } from '../../core/registries.js';
import { BundleError, RegistryError } from '../../core/errors.js';
import type { JsonValue } from '../../core/validate.js';
import { describeImpliedDifference, impliedDifferences, type TorchMapping } from '../../core/torch/mapping.js';
import { importOptimizerState } from '../../core/torch/optimizer-state.js';
import { isReferenceCheckpoint, readReferenceCheckpoint, type DroppedAttribute } from '../../core/torch/reference-checkpoint.js';
import { importStateDict, type DroppedTensor } from '../../core/torch/state-dict.js';
import { tensorFloat32 } from '../../core/torch/tensor-data.js';
import type { CommonArgs } from '../../core/architecture.js';
import { describePython } from '../../core/torch/python-json.js';
import type { PyValue } from '../../core/torch/values.js';
import { isTorchTensor, PyDict } from '../../core/torch/values.js';
import { instantiate, type Classifier } from '../classifier.js';
import { createOptimizer } from '../train/optimizers/index.js';
import type { TrainingOptimizer } from '../train/types.js';
import { flattenedInputShapes } from './flattened-input.js';

export interface FromTorchOptions {
  /** For a plain state_dict: the archbundle class and its arguments. */
  className?: string;
  args?: Record<string, unknown>;
  /** The optimizer class when its state_dict fits several (Adam and AdamW look alike). */
  optimizerClass?: string;
}

export interface ImportReport {
  /** The reference implementation's class, when the file is its checkpoint. */
  referenceClass: string | null;
  class: string;
  args: Record<string, unknown>;
  droppedAttributes: DroppedAttribute[];
  droppedTensors: DroppedTensor[];
  /** What else the checkpoint held that archbundle does not carry over, and why. */
  notes: string[];
  optimizer: { class: string; step: number; slots: number } | null;
  epoch: number;
}

export interface FromTorchResult {
  model: Classifier;
  optimizer?: TrainingOptimizer;
  report: ImportReport;
}

export function modelFromTorch(value: PyValue, options: FromTorchOptions = {}): FromTorchResult {
  const mappings = architectures.list().flatMap((spec) => (spec.torch ? [spec.torch as TorchMapping] : []));
  const notes: string[] = [];
  let referenceClass: string | null = null;
  let className: string;
  let args: Record<string, unknown>;
  let stateDict: PyValue;
  let consumedKeys: string[] = [];
  let droppedAttributes: DroppedAttribute[] = [];
  let optimizerState: PyDict | null = null;
  let epoch = 0;
  if (isReferenceCheckpoint(value)) {
    const checkpoint = readReferenceCheckpoint(value, mappings);
    if (options.className && options.className !== checkpoint.class) {
      throw new RegistryError('E_UNKNOWN_CLASS', `the file is the reference implementation's ${checkpoint.referenceClass} checkpoint, which maps to ${checkpoint.class}, not --class ${options.className}`);
    }
    ({ referenceClass, class: className, consumedKeys, droppedAttributes, stateDict } = checkpoint);
    args = { ...checkpoint.args, ...options.args };
    optimizerState = checkpoint.optimizer;
    epoch = checkpoint.epoch ?? 0;
    if (checkpoint.scheduler !== null) notes.push("scheduler: not carried over (PyTorch's scheduler state_dict does not name its class; configure one when resuming)");
  } else {
    if (!options.className || !options.args) {
      throw new RegistryError('E_UNKNOWN_CLASS', `the file holds ${describePython(value)}${value instanceof PyDict ? ' (a plain state_dict?)' : ''}, not the reference implementation's checkpoint: give --class NAME and --args JSON`);
    }
    className = options.className;
    args = options.args;
    stateDict = value;
  }
  const spec = architectures.get(className);
  if (!spec.torch) throw new RegistryError('E_UNKNOWN_CLASS', `${className} has no PyTorch mapping (architectures/<name>/torch.json)`);

  // Placeholder weights: every one is overwritten below, and drawing random ones for a large model is slow.
  const model = instantiate(className, args, { placeholderWeights: true });
  try {
    if (!referenceClass) {
      consumedKeys = whiteningKeys(spec.torch as TorchMapping, stateDict, model);
      // A plain state_dict does not say whether it comes from the reference implementation: say what to give if it does.
      for (const d of impliedDifferences(spec.torch as TorchMapping, model.args)) {
        if (!Object.hasOwn(args, d.argument)) notes.push(`${describeImpliedDifference(className, d)}: if the state_dict is from its model, give "${d.argument}": ${JSON.stringify(d.implied)} in --args`);
      }
    }
    const context = { classes: (model.args as { classes: number }).classes, flattenedInput: flattenedInputShapes(model) };
    const imported = importStateDict(spec.torch as TorchMapping, stateDict, context, consumedKeys);
    fillWeights(model, imported.weights);
    const single = (spec.torch as TorchMapping).reference?.singleLogit;
    const logit = single && stateDict instanceof PyDict ? stateDict.get(`${single}.weight`) : undefined;
    if (context.classes === 2 && isTorchTensor(logit) && logit.shape[0] === 1) {
      notes.push(`${single}: the reference implementation's single logit z for 2 classes became the two logits [0, z], whose softmax is its sigmoid`);
    }
    let optimizer: TrainingOptimizer | undefined;
    let optimizerReport: ImportReport['optimizer'] = null;
    if (optimizerState) {
      const state = importOptimizerState({ state: optimizerState, parameterKeys: imported.parameterKeys, stateDictShapes: imported.shapes, names: imported.names, context, className: options.optimizerClass });
      optimizer = createOptimizer(state.class, state.args as Record<string, JsonValue>);
      const tensors = state.slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape) }));
      try {
        optimizer.setState({ step: state.step, tensors: tensors.map((t) => ({ name: t.name, tensor: t.tensor })) }, model.namedWeights().map((w) => ({ name: w.name, shape: w.variable.shape as number[] })));
      } finally {
        tf.dispose(tensors.map((t) => t.tensor));
      }
      optimizerReport = { class: state.class, step: state.step, slots: state.slots.length };
    }
    return {
      model,
      optimizer,
      report: { referenceClass, class: className, args: { ...model.args }, droppedAttributes, droppedTensors: imported.dropped, notes, optimizer: optimizerReport, epoch },
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * A plain state_dict of a whitened model of the reference implementation holds the whiten layer's statistics as
 * tensors; they must be the statistics the arguments give, and are not weights.
 */
function whiteningKeys(mapping: TorchMapping, stateDict: PyValue, model: Classifier): string[] {
  const keys = mapping.reference?.whitening;
  if (!keys || !(stateDict instanceof PyDict)) return [];
  const present = [keys.mean, keys.std].filter((k) => stateDict.entries.has(k));
  if (present.length === 0) return [];
  const whitening = (model.args as unknown as CommonArgs).whitening;
  if (!whitening) {
    throw new BundleError('E_WEIGHTS_MISMATCH', `the state_dict holds the reference implementation's whiten layer (${present.join(', ')}) but the arguments have no whitening; give {"whitening": {"mean": [...], "std": [...]}}`);
  }
  for (const [key, expected] of [[keys.mean, whitening.mean], [keys.std, whitening.std]] as const) {
    const tensor = stateDict.get(key);
    const values = isTorchTensor(tensor) ? [...tensorFloat32(tensor)] : [];
    if (values.length !== expected.length || values.some((v, i) => v !== Math.fround(expected[i]!))) {
      throw new BundleError('E_WEIGHTS_MISMATCH', `the state_dict's ${key} is [${values.join(', ')}], but the arguments' whitening gives [${expected.join(', ')}]`);
    }
  }
  return [keys.mean, keys.std];
}

/** Every weight of the model from the import, same shapes, nothing left over: else one error listing all. */
function fillWeights(model: Classifier, weights: { name: string; shape: number[]; values: Float32Array; torchKey: string }[]): void {
  const ours = new Map(model.namedWeights().map((w) => [w.name, w]));
  const given = new Map(weights.map((w) => [w.name, w]));
  const missing = [...ours.keys()].filter((n) => !given.has(n));
  const unexpected = weights.filter((w) => !ours.has(w.name)).map((w) => `${w.torchKey} (as ${w.name})`);
  const mismatched = weights.flatMap((w) => {
    const target = ours.get(w.name);
    return target && target.variable.shape.join() !== w.shape.join() ? [`${w.torchKey}: the model's ${w.name} is [${target.variable.shape.join(', ')}], PyTorch's gives [${w.shape.join(', ')}]`] : [];
  });
  if (missing.length + unexpected.length + mismatched.length > 0) {
    const parts = [
      missing.length ? `missing: ${missing.join(', ')}` : '',
      unexpected.length ? `unexpected: ${unexpected.join(', ')}` : '',
      mismatched.length ? `wrong shape: ${mismatched.join('; ')}` : '',
    ].filter(Boolean);
    throw new BundleError('E_WEIGHTS_MISMATCH', `the PyTorch weights do not fit ${model.className}(${JSON.stringify(model.args)}): ${parts.join('; ')}`);
  }
  for (const w of weights) {
    const value = tf.tensor(w.values, w.shape);
    ours.get(w.name)!.variable.write(value);
    value.dispose();
  }
}
