/**
 * A live model's weights as PyTorch's state_dict for its architecture (names, layouts, and the
 * tensors PyTorch's strict load_state_dict expects but archbundle does not keep), by the
 * architecture's torch.json: what `export --to safetensors` writes.
 */
import { architectures } from '../../core/registries.js';
import { RegistryError } from '../../core/errors.js';
import type { CommonArgs } from '../../core/architecture.js';
import { describeImpliedDifference, impliedDifferences, type TorchMapping } from '../../core/torch/mapping.js';
import { TorchWeightNames } from '../../core/torch/weight-names.js';
import type { Classifier } from '../classifier.js';
import { flattenedInputShapes } from '../import/flattened-input.js';

export interface TorchStateTensor {
  key: string;
  dtype: 'float32' | 'int64';
  shape: number[];
  /** Little-endian element bytes. */
  bytes: Uint8Array;
}

/** Where the reference implementation's model of the same arguments computes something else than this model (so the weights alone do not reproduce it). */
export function torchExportNotes(model: Classifier): string[] {
  const mapping = architectures.get(model.className).torch as TorchMapping | undefined;
  return mapping ? impliedDifferences(mapping, model.args).map((d) => describeImpliedDifference(model.className, d)) : [];
}

export function torchStateDict(model: Classifier): TorchStateTensor[] {
  const mapping = architectures.get(model.className).torch as TorchMapping | undefined;
  if (!mapping) throw new RegistryError('E_UNKNOWN_CLASS', `${model.className} has no PyTorch mapping (architectures/<name>/torch.json)`);
  const names = new TorchWeightNames(mapping);
  const args = model.args as unknown as CommonArgs;
  const context = { classes: args.classes, flattenedInput: flattenedInputShapes(model) };
  const out: TorchStateTensor[] = [];
  const whitening = mapping.reference?.whitening;
  if (args.whitening && whitening) {
    // The reference implementation's whiten layer holds the statistics as parameters, first in its state_dict.
    out.push(float32(whitening.mean, [args.whitening.mean.length], Float32Array.from(args.whitening.mean)));
    out.push(float32(whitening.std, [args.whitening.std.length], Float32Array.from(args.whitening.std)));
  }
  const weights = model.namedWeights();
  for (const w of weights) {
    const t = names.toTorch(w.name, { shape: [...w.variable.shape] as number[], values: w.variable.read().dataSync() as Float32Array }, context);
    out.push(float32(t.key, t.shape, t.values));
  }
  for (const extra of names.exportedExtras(weights.map((w) => w.name))) {
    const bytes = extra.dtype === 'int64' ? new Uint8Array(new BigInt64Array([BigInt(extra.fill)]).buffer) : new Uint8Array(new Float32Array([extra.fill]).buffer);
    out.push({ key: extra.key, dtype: extra.dtype, shape: [], bytes });
  }
  return out;
}

function float32(key: string, shape: number[], values: Float32Array): TorchStateTensor {
  return { key, dtype: 'float32', shape, bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}
