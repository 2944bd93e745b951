import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';
import { countCorrect } from './accuracy.js';

/**
 * A view of `model` whose training forward also counts correct predictions, so a training step
 * reports accuracy from the logits it computes anyway (no second forward pass). The count is
 * kept out of the step's tidy scope and read after the step.
 */
export function accuracyObserver(model: Classifier): {
  model: Classifier;
  expect(labels: tf.Tensor1D): void;
  take(): number;
} {
  let labels: tf.Tensor1D | undefined;
  let hits: tf.Scalar | undefined;
  const observed = Object.create(model, {
    forward: {
      value(x: tf.Tensor, training = false): tf.Tensor2D {
        const logits = model.forward(x, training);
        if (labels && !hits) hits = tf.keep(countCorrect(logits, labels));
        return logits;
      },
    },
  }) as Classifier;
  return {
    model: observed,
    expect(next) {
      labels = next;
      hits?.dispose();
      hits = undefined;
    },
    take() {
      const count = hits ? hits.dataSync()[0]! : NaN;
      hits?.dispose();
      hits = undefined;
      return labels ? count / labels.shape[0] : NaN;
    },
  };
}
