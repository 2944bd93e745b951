/**
 * The compare page's per-tensor change between two bundles' weights: ‖a − b‖ / ‖b‖ with b the
 * reference. Plain arithmetic (no TF.js), so the report computes it in Node and the viewer in the
 * browser, from whatever holds the values.
 */
import type { TensorChange } from '../../core/viewer-protocol.js';

export interface NamedValues {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
}

export interface TensorComparison {
  changes: TensorChange[];
  /** In one bundle only, or of different shapes. */
  unmatched: string[];
}

/** Compares same-named, same-shaped tensors of `a` against the reference `b`, in `b`'s order. */
export function compareTensors(a: readonly NamedValues[], b: readonly NamedValues[]): TensorComparison {
  const byName = new Map(a.map((t) => [t.name, t]));
  const changes: TensorChange[] = [];
  const unmatched: string[] = [];
  for (const reference of b) {
    const other = byName.get(reference.name);
    byName.delete(reference.name);
    if (!other || !sameShape(other.shape, reference.shape)) {
      unmatched.push(reference.name);
      continue;
    }
    changes.push(tensorChange(reference.name, reference.shape, other.values, reference.values));
  }
  unmatched.push(...byName.keys());
  return { changes, unmatched };
}

/** ‖a − b‖ and ‖a − b‖ / ‖b‖ in one sweep, summed in float64. */
export function tensorChange(name: string, shape: number[], a: ArrayLike<number>, b: ArrayLike<number>): TensorChange {
  let difference = 0;
  let reference = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i]! - b[i]!;
    difference += d * d;
    reference += b[i]! * b[i]!;
  }
  const distance = Math.sqrt(difference);
  return { name, shape: [...shape], distance, relative: reference > 0 ? distance / Math.sqrt(reference) : null };
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
