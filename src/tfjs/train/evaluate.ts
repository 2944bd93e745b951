import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';
import type { PixelScaling } from '../../core/bundle/entries.js';
import { makeBatch } from '../data/batches.js';
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
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
    const batch = makeBatch(split, indices, resolution, undefined, pixels);
    const [loss, hits, predicted] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const labels = tf.tensor1d(batch.y, 'int32');
      const logits = model.predict(x);
      const perExample = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits, undefined, 0, tf.Reduction.NONE);
      return [
        tf.sum(perExample).dataSync()[0]!,
        countCorrect(logits, labels).dataSync()[0]!,
        logits.argMax(1).dataSync() as Int32Array,
      ] as const;
    });
    lossSum += loss;
    correct += hits;
    for (let i = 0; i < batch.size; i += 1) confusion[batch.y[i]!]![predicted[i]!]! += 1;
  }
  const count = split.count;
  return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, count, confusion };
}
