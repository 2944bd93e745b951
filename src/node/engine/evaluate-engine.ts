import * as tf from '@tensorflow/tfjs';
import type { PixelScaling } from '../../core/bundle/entries.js';
import type { Split } from '../../tfjs/data/types.js';
import { EvaluationTally, evaluationBatches, type Evaluation } from '../../tfjs/train/evaluate.js';
import type { InferenceEngine } from './engine.js';

/**
 * evaluateSplit's loss, accuracy and confusion matrix, with the logits from `engine`: the logits
 * are scored by the same EvaluationTally as evaluateSplit's, so the TF.js engine gives
 * evaluateSplit's figures to the bit.
 */
export async function evaluateWithEngine(
  engine: InferenceEngine,
  split: Split,
  resolution: readonly [number, number, number],
  classes: number,
  batchSize: number,
  pixels?: PixelScaling,
): Promise<Evaluation> {
  const tally = new EvaluationTally(classes);
  for (const batch of evaluationBatches(split, resolution, batchSize, pixels)) {
    const values = await engine.logits(batch);
    tally.add(batch.y, () => tf.tensor2d(values, [batch.size, classes]));
  }
  return tally.result();
}
