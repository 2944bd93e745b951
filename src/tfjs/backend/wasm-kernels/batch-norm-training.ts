import * as tf from '@tensorflow/tfjs';

/**
 * Whether archbundle's BatchNormalization layer trains through `batchNormInTraining` (true) or
 * TF.js's own composition; bench/ab-training-kernels.ts flips it between steps to time both in one process.
 */
export const batchNormTrainingPath = { fused: true };

export interface BatchNormTraining {
  /** The normalised, scaled and shifted input. */
  y: tf.Tensor;
  /** Per-channel batch mean and biased variance, for the running statistics; the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch normalisation in training mode over every axis but the last, as one differentiable op
 * whose gradient is the closed form, so a training step reads the activation in far fewer
 * full-size passes than TF.js's composition (tf.moments, then FusedBatchNorm):
 *
 * - forward, 5 passes: the mean (one pooling on wasm), x - mean (one multiply-add pass), its
 *   square, the mean of that (a pooling), and the normalisation (FusedBatchNorm, one pass). The
 *   values are those of tf.moments + tf.batchNorm, bit for bit. TF.js's composition makes the
 *   same passes but for a broadcasting Sub in place of the multiply-add (slower on wasm).
 * - backward, 6 passes instead of 12: Σdy, (x - mean)·dy and its sum, then
 *   dx = dy·k + b + (x - mean)·a with per-channel k, a, b (two multiply-add passes and an add).
 *   TF.js differentiates through the moments instead: FusedBatchNorm's gradient (five passes,
 *   recomputing x - mean), Tile-broadcast gradients of both means, the Square gradient (two
 *   multiplies), the Sub gradient (a sum), and two Adds of the three gradients that reach x.
 *
 * Memory: the centred input is saved for the backward pass instead of x, and the squared
 * deviations are freed when the forward pass ends (the engine runs it in a tidy); TF.js's taped
 * composition holds both until the gradients are computed.
 *
 * Composed of TF.js ops, so it runs (and is tested) on every backend; on wasm each op is one of
 * archbundle's vectorised kernels. The closed form is the derivative of the same function,
 * checked against TF.js's automatic gradient in test/wasm-kernels.test.ts; it differs from it by
 * rounding only.
 */
function batchNormInTraining_(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTraining {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  let statistics: [tf.Tensor1D, tf.Tensor1D] | undefined;
  // A fresh customGrad per call: the statistics leave through this closure, and the engine keeps
  // the forward pass off the tape (its ops are not differentiated one by one).
  const normalise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const mean = tf.mean(input, axes) as tf.Tensor1D;
    // x·1 + (-mean) is exactly x - mean, in the one-pass multiply-add (a broadcasting Sub is slower).
    const centered = affinePerChannel(input, tf.onesLike(mean), tf.neg(mean));
    const variance = tf.mean(tf.square(centered), axes) as tf.Tensor1D;
    // The centred input is kept for the gradient, which then needs no x - mean pass of its own.
    save([centered, variance, scale]);
    statistics = [tf.keep(mean), tf.keep(variance)];
    return {
      value: tf.batchNorm(input, mean, variance, offset, scale, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => batchNormTrainingGradient(dy, saved, axes, epsilon),
    };
  });
  const y = normalise(x, gamma, beta);
  return { y, mean: statistics![0], variance: statistics![1] };
}

/** As a TF.js op: its kernels appear under `batchNormInTraining__op` in tf.profile, as TF.js's own ops do. */
export const batchNormInTraining = tf.op({ batchNormInTraining_ });

/**
 * dx, dgamma, dbeta of y = (x - mean)·k + beta with the batch statistics, k = gamma / sqrt(var + eps):
 * dx = k·(dy - Σdy/N - (x - mean)·Σ((x - mean)·dy)/(N·(var + eps))), dgamma = Σ((x - mean)·dy)/sqrt(var + eps),
 * dbeta = Σdy.
 */
function batchNormTrainingGradient(dy: tf.Tensor, saved: tf.Tensor[], axes: number[], epsilon: number): tf.Tensor[] {
  const [centered, variance, gamma] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
  const count = centered.size / variance.size;
  const inverse = tf.rsqrt(tf.add(variance, epsilon));
  const dySum = tf.sum(dy, axes) as tf.Tensor1D;
  const centeredDySum = tf.sum(tf.mul(centered, dy), axes) as tf.Tensor1D;
  const k = tf.mul(gamma, inverse) as tf.Tensor1D;
  const centeredFactor = tf.neg(tf.mul(k, tf.mul(tf.square(inverse), tf.div(centeredDySum, count)))) as tf.Tensor1D;
  const shift = tf.neg(tf.mul(k, tf.div(dySum, count))) as tf.Tensor1D;
  const dx = tf.add(affinePerChannel(dy, k, shift), affinePerChannel(centered, centeredFactor));
  return [dx, tf.mul(centeredDySum, inverse), dySum];
}

/**
 * x·scale + shift per channel of the last axis, as a 1x1 depthwise convolution with a bias: one
 * pass on wasm (XNNPACK's per-channel multiply-add, see batch-norm.ts), correct on every backend.
 */
export function affinePerChannel(x: tf.Tensor, scale: tf.Tensor1D, shift?: tf.Tensor1D): tf.Tensor {
  const channels = scale.size;
  const y = tf.fused.depthwiseConv2d({
    x: tf.reshape(x, [1, 1, x.size / channels, channels]) as tf.Tensor4D,
    filter: tf.reshape(scale, [1, 1, channels, 1]) as tf.Tensor4D,
    strides: 1,
    pad: 'valid',
    bias: shift,
  });
  return tf.reshape(y, x.shape);
}
