/** Compares a bundle's weight table with a model's weights: what is missing, unexpected or misfit. */
import type { Classifier } from '../classifier.js';
import { BundleError, type Issue } from '../../core/errors.js';
import { escapePointer } from '../../core/validate.js';
import type { TensorRecord } from '../../core/bundle/tensor-table.js';

export interface WeightsDiff {
  /** Weights of the model the bundle does not hold. */
  missing: string[];
  /** Tensors in the bundle the model has no weight for. */
  unexpected: string[];
  /** Present in both, with a different shape or dtype. */
  mismatched: { name: string; expected: string; received: string }[];
}

export function diffWeights(model: Classifier, records: readonly TensorRecord[]): WeightsDiff {
  const stored = new Map(records.map((r) => [r.name, r]));
  const weights = model.namedWeights();
  const names = new Set(weights.map((w) => w.name));
  const diff: WeightsDiff = { missing: [], unexpected: records.filter((r) => !names.has(r.name)).map((r) => r.name), mismatched: [] };
  for (const w of weights) {
    const r = stored.get(w.name);
    if (!r) {
      diff.missing.push(w.name);
      continue;
    }
    const expected = `${w.variable.dtype} [${w.variable.shape.join(', ')}]`;
    const received = `${r.dtype} [${r.shape.join(', ')}]`;
    if (expected !== received) diff.mismatched.push({ name: w.name, expected, received });
  }
  return diff;
}

export function isEmptyDiff(diff: WeightsDiff): boolean {
  return diff.missing.length + diff.unexpected.length + diff.mismatched.length === 0;
}

/** One error listing every problem, as tfjs-layers' loadWeights does. */
export function weightsMismatchError(className: string, diff: WeightsDiff): BundleError {
  const issues: Issue[] = [
    ...diff.missing.map((n) => ({ pointer: `/${escapePointer(n)}`, keyword: 'missing', message: 'is a weight of the model but not in the bundle' })),
    ...diff.unexpected.map((n) => ({ pointer: `/${escapePointer(n)}`, keyword: 'unexpected', message: 'is in the bundle but not a weight of the model' })),
    ...diff.mismatched.map((m) => ({ pointer: `/${escapePointer(m.name)}`, keyword: 'shape', message: `expected ${m.expected}, received ${m.received}` })),
  ];
  const parts = [
    diff.missing.length ? `missing ${diff.missing.join(', ')}` : '',
    diff.unexpected.length ? `unexpected ${diff.unexpected.join(', ')}` : '',
    diff.mismatched.length ? `wrong shape ${diff.mismatched.map((m) => `${m.name} (expected ${m.expected}, received ${m.received})`).join(', ')}` : '',
  ].filter(Boolean);
  return new BundleError('E_WEIGHTS_MISMATCH', `bundle weights do not fit ${className}: ${parts.join('; ')}`, issues);
}
