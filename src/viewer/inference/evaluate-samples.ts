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

/**
 * Runs the model on every page of examples, in order, then scores all of them. `progress` gets
 * the number of examples classified so far.
 */
export async function evaluateSamples(model: BrowserModel, pages: AsyncIterable<Samples>, progress: (done: number) => void): Promise<LiveEvaluation> {
  const size = model.shape[0] * model.shape[1] * model.shape[2];
  const logits: Float32Array[] = [];
  const targets: number[] = [];
  const chunks: Uint8Array[] = [];
  let dataset = '';
  let labels: string[] | null = null;
  for await (const page of pages) {
    checkFits(model, page);
    dataset = page.dataset;
    labels = page.labels;
    const done = logits.length;
    logits.push(...(await logitsOf(model, page.pixels, page.count, (n) => progress(done + n))));
    targets.push(...page.targets);
    chunks.push(page.pixels);
  }
  const pixels = concat(chunks);
  const scores = scoreLogits(logits, targets, { labels: model.labels ?? labels, classes: model.classes });
  const misclassified = scores.misclassified.map((m) => ({
    ...m,
    image: exampleDataUrl(pixels.subarray(m.index * size, (m.index + 1) * size), model.shape),
  }));
  return { evaluation: { dataset, backend: model.backend.name, ...scores, misclassified }, logits };
}

function checkFits(model: BrowserModel, samples: Samples): void {
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
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
