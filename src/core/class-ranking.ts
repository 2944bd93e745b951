/** From a classifier's logits to what a person reads: probabilities and the most likely classes. */

export interface RankedClass {
  class: number;
  /** The class's name, or its index as text when the classes have no names. */
  label: string;
  probability: number;
}

/** Softmax, computed stably: exp(x - max) / sum. */
export function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * The `k` most probable classes, most probable first (ties: the lower class index first); `k`
 * is capped at the number of classes. `labels`, when given, name the classes.
 */
export function topClasses(probabilities: readonly number[], k: number, labels?: readonly string[] | null): RankedClass[] {
  const order = probabilities.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p || a.i - b.i);
  return order.slice(0, Math.min(k, probabilities.length)).map(({ p, i }) => ({ class: i, label: labels?.[i] ?? String(i), probability: p }));
}
