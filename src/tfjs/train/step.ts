import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';
import { ArchbundleError } from '../../core/errors.js';
import { countCorrect } from './accuracy.js';
import type { TrainingOptimizer, WeightGradient } from './types.js';

/** Labels as class indices [batch] (int32) or one-hot / soft targets [batch, classes]. */
export type Labels = tf.Tensor1D | tf.Tensor2D;

/** Mean softmax cross-entropy of logits against labels (PyTorch's CrossEntropyLoss, mean reduction). */
export function crossEntropy(logits: tf.Tensor2D, labels: Labels): tf.Scalar {
  return tf.tidy(() => {
    const targets = labels.rank === 1 ? tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]) : labels;
    return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
  });
}

/**
 * One training step: forward in training mode (dropout on; batch normalisation uses the batch
 * statistics and updates its moving averages, as TF.js layers do), gradients of the trainable
 * weights only, one optimizer update under the weights' stable names. Returns the batch's mean
 * loss before the update. Leaves no tensor behind; the same inputs and state give the same bits.
 */
export function trainStep(model: Classifier, optimizer: TrainingOptimizer, x: tf.Tensor, labels: Labels): number {
  checkBatch(model, x, labels);
  const trainable = model.namedWeights().filter((w) => w.trainable);
  const variables = trainable.map((w) => w.variable.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => crossEntropy(model.forward(x, true), labels), variables);
  try {
    const gradients: WeightGradient[] = trainable.map((w, i) => {
      const variable = variables[i]!;
      const gradient = grads[variable.name];
      if (!gradient) throw new ArchbundleError('E_INVALID_ARGS', `weight "${w.name}" received no gradient`);
      return { name: w.name, variable, gradient };
    });
    optimizer.applyGradients(gradients);
    return value.dataSync()[0]!;
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

export interface BatchEvaluation {
  /** Mean loss over the batch. */
  loss: number;
  /** Number of examples whose largest logit is the true class. */
  correct: number;
  /** Batch size, to weight `loss` when averaging over batches. */
  count: number;
}

/** Loss and correct count in evaluation mode (no dropout, batch-norm moving statistics); changes nothing. */
export function evaluateBatch(model: Classifier, x: tf.Tensor, labels: Labels): BatchEvaluation {
  checkBatch(model, x, labels);
  const [loss, correct] = tf.tidy(() => {
    const logits = model.forward(x, false);
    return [crossEntropy(logits, labels), countCorrect(logits, labels)];
  });
  try {
    return { loss: loss.dataSync()[0]!, correct: correct.dataSync()[0]!, count: x.shape[0]! };
  } finally {
    tf.dispose([loss, correct]);
  }
}

function checkBatch(model: Classifier, x: tf.Tensor, labels: Labels): void {
  const classes = model.args.classes as number;
  const batch = x.shape[0];
  const problems: string[] = [];
  if (labels.shape[0] !== batch) problems.push(`labels have ${labels.shape[0]} rows for a batch of ${batch}`);
  if (labels.rank === 2 && labels.shape[1] !== classes) problems.push(`labels have ${labels.shape[1]} columns, expected ${classes} classes`);
  if (labels.rank !== 1 && labels.rank !== 2) problems.push(`labels must be [batch] or [batch, ${classes}], received rank ${labels.rank}`);
  if (problems.length > 0) throw new ArchbundleError('E_INVALID_ARGS', `${model.className} batch: ${problems.join('; ')}`);
}
