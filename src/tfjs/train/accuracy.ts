import * as tf from '@tensorflow/tfjs';
import type { Labels } from './step.js';

/**
 * How many examples' largest logit is the true class: the one definition of a correct prediction
 * behind every accuracy archbundle reports (training steps, evaluation, validation), so they
 * cannot drift apart, e.g. on ties (argMax takes the first) or on one-hot labels (their largest
 * entry is the true class). An int32 scalar; tidy, so only the result is left.
 */
export function countCorrect(logits: tf.Tensor2D, labels: Labels): tf.Scalar {
  return tf.tidy(() => {
    const truth = labels.rank === 1 ? tf.cast(labels, 'int32') : tf.argMax(labels, 1);
    return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'int32'));
  });
}
