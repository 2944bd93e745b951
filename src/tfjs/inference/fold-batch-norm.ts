import * as tf from '@tensorflow/tfjs';

/** A convolution's weights with an evaluation-mode batch norm folded in: BN(conv(x, W) + b) = conv(x, W') + b'. */
export interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** Weights of a layer by the last part of their name (kernel, bias, gamma, beta, moving_mean, ...). */
export function weightsByName(layer: tf.layers.Layer): Map<string, tf.Tensor> {
  return new Map(layer.weights.map((w) => [w.originalName.split('/').pop()!, w.read()]));
}

/**
 * Folds a batch norm over the last axis into the preceding convolution (or dense) kernel, whose last
 * axis is the output channel: with s = gamma / sqrt(var + eps), W' = W * s and b' = (b - mean) * s + beta.
 */
export function foldBatchNorm(conv: tf.layers.Layer, bn: tf.layers.Layer): FoldedConv {
  const c = weightsByName(conv);
  const n = weightsByName(bn);
  const epsilon = bn.getConfig().epsilon as number;
  return tf.tidy(() => {
    const kernel = c.get('kernel')!;
    const channels = kernel.shape[kernel.shape.length - 1]!;
    const mean = n.get('moving_mean')!;
    const variance = n.get('moving_variance')!;
    const gamma = n.get('gamma') ?? tf.ones([channels]);
    const beta = n.get('beta') ?? tf.zeros([channels]);
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
    const bias = c.get('bias') ?? tf.zeros([channels]);
    return {
      filter: tf.mul(kernel, scale) as tf.Tensor4D,
      bias: tf.add(tf.mul(tf.sub(bias, mean), scale), beta) as tf.Tensor1D,
    };
  });
}
