import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';
import type { PixelScaling } from '../../core/bundle/entries.js';
import { makeBatch, type Batch } from '../data/batches.js';
import type { Split } from '../data/types.js';
import { countCorrect } from './accuracy.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[actual][predicted] counts. */
  confusion: number[][];
}

/**
 * Mean softmax cross-entropy, accuracy and the confusion matrix of a model on a split (inference
 * mode). Byte images are scaled with `pixels` (a bundle's input contract), else as in training.
 */
export function evaluateSplit(
  model: Classifier,
  split: Split,
  resolution: readonly [number, number, number],
  classes: number,
  batchSize: number,
  pixels?: PixelScaling,
): Evaluation {
  const [channels, height, width] = resolution;
  const tally = new EvaluationTally(classes);
  for (const batch of evaluationBatches(split, resolution, batchSize, pixels)) {
    tally.add(batch.y, () => model.predict(tf.tensor4d(batch.x, [batch.size, height, width, channels])));
  }
  return tally.result();
}

/** The split in order, `batchSize` examples a batch (the last one shorter), scaled with `pixels`. */
export function* evaluationBatches(
  split: Split,
  resolution: readonly [number, number, number],
  batchSize: number,
  pixels?: PixelScaling,
): Generator<Batch> {
  for (let start = 0; start < split.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
    yield makeBatch(split, indices, resolution, undefined, pixels);
  }
}

/**
 * Sums an evaluation batch by batch from each batch's logits, whatever made them (a TF.js model,
 * or another engine's values), so that every evaluation scores logits the same way.
 */
export class EvaluationTally {
  private lossSum = 0;
  private correct = 0;
  private count = 0;
  private readonly confusion: number[][];

  constructor(private readonly classes: number) {
    this.confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  /** Adds one batch; `logits` runs inside a tf.tidy, so the tensors it makes are released. */
  add(labels: Int32Array, logits: () => tf.Tensor2D): void {
    const [loss, hits, predicted] = tf.tidy(() => {
      const scores = logits();
      const truth = tf.tensor1d(labels, 'int32');
      const perExample = tf.losses.softmaxCrossEntropy(tf.oneHot(truth, this.classes), scores, undefined, 0, tf.Reduction.NONE);
      return [
        tf.sum(perExample).dataSync()[0]!,
        countCorrect(scores, truth).dataSync()[0]!,
        scores.argMax(1).dataSync() as Int32Array,
      ] as const;
    });
    this.lossSum += loss;
    this.correct += hits;
    this.count += labels.length;
    for (let i = 0; i < labels.length; i += 1) this.confusion[labels[i]!]![predicted[i]!]! += 1;
  }

  result(): Evaluation {
    const count = this.count;
    return { loss: count ? this.lossSum / count : NaN, accuracy: count ? this.correct / count : NaN, count, confusion: this.confusion };
  }
}
