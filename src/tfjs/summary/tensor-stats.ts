/**
 * A tensor's value statistics for the weights page: moments, norm, zeros and a histogram. Plain
 * arithmetic over the values (no TF.js), so the same numbers come out in the browser and in Node,
 * and a 36-million-value weight costs two sweeps of a typed array rather than a dozen kernels.
 */
import type { TensorSummary } from '../../core/viewer-protocol.js';

export const HISTOGRAM_BINS = 40;

export type ValueStats = Omit<TensorSummary, 'name' | 'dtype' | 'shape'>;

/**
 * The first sweep gathers every moment at once (sums in float64); the second bins the values, as
 * the bin edges need min and max first. Non-finite values count in no bin and make the moments
 * non-finite, so a damaged weight shows as such rather than as plausible numbers.
 */
export function tensorStats(values: ArrayLike<number>, bins = HISTOGRAM_BINS): ValueStats {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let squares = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    squares += v * v;
    if (v === 0) zeros++;
  }
  if (n === 0) return { min: 0, max: 0, mean: 0, std: 0, norm: 0, zeros: 0, histogram: { edges: [0, 0], counts: [0] } };
  const mean = sum / n;
  // population variance, as numpy's std and TF.js's moments; clamped at 0 against rounding
  const std = Math.sqrt(Math.max(0, squares / n - mean * mean));
  return { min, max, mean, std, norm: Math.sqrt(squares), zeros: zeros / n, histogram: histogram(values, min, max, bins) };
}

/** Equal-width bins from min to max (the last bin includes max); one bin when all values are equal. */
export function histogram(values: ArrayLike<number>, min: number, max: number, bins = HISTOGRAM_BINS): { edges: number[]; counts: number[] } {
  if (!(max > min) || !Number.isFinite(max - min)) {
    return { edges: [min, max], counts: [values.length] };
  }
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (max - min);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= min && v <= max)) continue; // NaN and infinities
    const bin = Math.floor((v - min) * scale);
    counts[bin < bins ? bin : bins - 1]!++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  return { edges, counts };
}
