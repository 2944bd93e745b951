/**
 * The live evaluation: a model's logits on served test examples, scored by the same core
 * function as `archbundle report --data` (src/core/evaluation-summary.ts), with the misclassified
 * examples drawn from their pixels.
 */
import { EnvironmentError } from '../../core/errors.js';
import { scoreLogits } from '../../core/evaluation-summary.js';
import type { Evaluation } from '../../core/viewer-protocol.js';
import { exampleDataUrl } from './example-image.js';
import { logitsOf } from './logits.js';
import type { BrowserModel } from './model.js';
import type { Samples } from './samples.js';

export interface LiveEvaluation {
  evaluation: Evaluation;
  /** One row per example, in order. */
  logits: Float32Array[];
}

export async function evaluateSamples(model: BrowserModel, samples: Samples, progress: (done: number) => void): Promise<LiveEvaluation> {
  if (samples.shape.join(',') !== model.shape.join(',')) {
    throw new EnvironmentError(
      'E_INPUT_MISMATCH',
      `the ${samples.dataset} examples are ${samples.shape.join('×')} (height×width×channels); the model takes ${model.shape.join('×')}`,
    );
  }
  const outside = samples.targets.find((t) => t >= model.classes);
  if (outside !== undefined) {
    throw new EnvironmentError('E_INPUT_MISMATCH', `${samples.dataset} has class ${outside}; the model has ${model.classes} classes`);
  }
  const logits = await logitsOf(model, samples.pixels, samples.count, progress);
  const scores = scoreLogits(logits, samples.targets, { labels: model.labels ?? samples.labels, classes: model.classes });
  const size = model.shape[0] * model.shape[1] * model.shape[2];
  const misclassified = scores.misclassified.map((m) => ({
    ...m,
    image: exampleDataUrl(samples.pixels.subarray(m.index * size, (m.index + 1) * size), model.shape),
  }));
  return { evaluation: { dataset: samples.dataset, backend: model.backend.name, ...scores, misclassified }, logits };
}
