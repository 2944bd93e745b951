/**
 * A model's results on test examples, computed from its logits alone: accuracy, mean
 * cross-entropy, the confusion matrix, per-class accuracy and the misclassified examples with
 * their top classes. Pure and TF.js-free, so that the browser (the evaluate page) and Node
 * (`archbundle report --data`) compute an `Evaluation` with the same arithmetic.
 */
import { softmax, topClasses } from './class-ranking.js';
import type { Evaluation } from './viewer-protocol.js';

/** A misclassified example before its image is attached (the browser and Node draw images differently). */
export type MisclassifiedScore = Omit<Evaluation['misclassified'][number], 'image'>;

/** Everything of an `Evaluation` that follows from the logits and targets. */
export interface EvaluationScores extends Omit<Evaluation, 'dataset' | 'backend' | 'misclassified'> {
  misclassified: MisclassifiedScore[];
}

export interface ScoreOptions {
  /** One name per class, or null. */
  labels: readonly string[] | null;
  /** Classes of the model (the length of each logits row). */
  classes: number;
  /** Most misclassified examples kept (default 48). */
  maxMisclassified?: number;
  /** Classes listed per misclassified example (default 3). */
  top?: number;
}

/**
 * Scores `logits[i]` against `targets[i]`. The predicted class is the first largest logit (as
 * TF.js's argMax picks); the loss is the mean of log-sum-exp(z) - z[target], in float64. The
 * misclassified examples kept are the most confidently wrong ones (highest probability of the
 * predicted class first, then by index), since those say most about a model.
 */
export function scoreLogits(logits: readonly ArrayLike<number>[], targets: ArrayLike<number>, options: ScoreOptions): EvaluationScores {
  const { classes } = options;
  if (logits.length !== targets.length) throw new RangeError(`${logits.length} logit rows for ${targets.length} targets`);
  const labels = options.labels ? [...options.labels] : null;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const wrong: (MisclassifiedScore & { confidence: number })[] = [];
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < logits.length; i += 1) {
    const row = logits[i]!;
    const target = targets[i]!;
    if (row.length !== classes) throw new RangeError(`logits row ${i} has ${row.length} values, expected ${classes}`);
    const predicted = argmax(row);
    lossSum += crossEntropy(row, target);
    confusion[target]![predicted]! += 1;
    if (predicted === target) {
      correct += 1;
      continue;
    }
    const probabilities = softmax(row);
    wrong.push({
      index: i,
      target,
      top: topClasses(probabilities, options.top ?? 3, labels).map((c) => ({ ...c, label: labels ? c.label : null })),
      confidence: probabilities[predicted]!,
    });
  }
  const examples = logits.length;
  const misclassified = wrong
    .sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    .slice(0, options.maxMisclassified ?? 48)
    .map(({ confidence: _, ...rest }) => rest);
  return {
    examples,
    accuracy: examples ? correct / examples : 0,
    loss: examples ? lossSum / examples : 0,
    labels,
    confusion,
    perClass: confusion.map((row, c) => {
      const count = row.reduce((a, b) => a + b, 0);
      // a class without examples has no accuracy; 0 keeps the JSON free of NaN, `examples: 0` says why
      return { class: c, label: labels?.[c] ?? null, examples: count, accuracy: count ? row[c]! / count : 0 };
    }),
    misclassified,
  };
}

/** The index of the first largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i]! > values[best]!) best = i;
  return best;
}

/** -log softmax(z)[target], stably: log-sum-exp(z) - z[target]. */
export function crossEntropy(logits: ArrayLike<number>, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i += 1) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) sum += Math.exp(logits[i]! - max);
  return max + Math.log(sum) - logits[target]!;
}
