import * as tf from '@tensorflow/tfjs';

/** The activations the reference implementation's architectures offer. */
export type ActivationName = 'relu' | 'sigmoid' | 'tanh' | 'softsign' | 'leaky_relu';

export function activationLayer(name: string, kind: ActivationName): tf.layers.Layer {
  if (kind === 'leaky_relu') return tf.layers.leakyReLU({ name, alpha: 0.01 });
  return tf.layers.activation({ name, activation: kind });
}
