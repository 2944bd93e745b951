import * as tf from '@tensorflow/tfjs';

/** Runs `f` with TF.js's backend set to `backend` and returns its result's values. */
export function valuesOn(backend: 'wasm' | 'cpu', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const out = f();
      return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync() as ArrayLike<number>));
    });
  } finally {
    tf.setBackend(previous);
  }
}

/** max |a - b| / max(max |a|, floor): the error relative to the reference's scale. */
export function relativeError(reference: ArrayLike<number>, actual: ArrayLike<number>, floor = 1e-6): number {
  if (reference.length !== actual.length) return Infinity;
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(reference[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return diff / scale;
}

/** Deterministic values in [-1, 1) from a seed (mulberry32), so failures reproduce. */
export function seededValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
