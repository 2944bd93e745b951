import * as tf from '@tensorflow/tfjs';
import type { PixelScaling } from '../../core/bundle/entries.js';
import { makeBatch } from '../../tfjs/data/batches.js';
import type { Split } from '../../tfjs/data/types.js';
import { countCorrect } from '../../tfjs/train/accuracy.js';
import type { Evaluation } from '../../tfjs/train/evaluate.js';
import type { InferenceEngine } from './engine.js';

/**
 * evaluateSplit's loss, accuracy and confusion matrix, with the logits from `engine`: the loss
 * and the predicted classes are computed from the logits exactly as evaluateSplit does, so the
 * TF.js engine gives evaluateSplit's figures to the bit.
 */
export async function evaluateWithEngine(
  engine: InferenceEngine,
  split: Split,
  resolution: readonly [number, number, number],
  classes: number,
  batchSize: number,
  pixels?: PixelScaling,
): Promise<Evaluation> {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
    const batch = makeBatch(split, indices, resolution, undefined, pixels);
    const values = await engine.logits(batch);
    const [loss, hits, predicted] = tf.tidy(() => {
      const logits = tf.tensor2d(values, [batch.size, classes]);
      const labels = tf.tensor1d(batch.y, 'int32');
      const perExample = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), logits, undefined, 0, tf.Reduction.NONE);
      return [tf.sum(perExample).dataSync()[0]!, countCorrect(logits, labels).dataSync()[0]!, logits.argMax(1).dataSync() as Int32Array] as const;
    });
    lossSum += loss;
    correct += hits;
    for (let i = 0; i < batch.size; i += 1) confusion[batch.y[i]!]![predicted[i]!]! += 1;
  }
  const count = split.count;
  return { loss: count ? lossSum / count : NaN, accuracy: count ? correct / count : NaN, count, confusion };
}
