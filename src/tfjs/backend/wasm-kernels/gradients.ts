import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormGradConfig } from './batch-norm-gradient.js';

/**
 * Gradients of Sum and Mean that broadcast dy with Tile instead of multiplying it by
 * `ones(x.shape)`, which TF.js fills element by element in JavaScript on every backward pass
 * (an eighth of a SimpleNet training step on wasm). Same values: dy * 1 is exact.
 * Gradients are global in TF.js; these give identical results on every backend.
 */
function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

export const sumGradConfig: tf.GradConfig = {
  kernelName: 'Sum',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { axis } = attrs as unknown as tf.SumAttrs;
    return { x: () => tf.broadcastTo(expandedDy(dy as tf.Tensor, x!, axis), x!.shape) };
  },
};

export const meanGradConfig: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const count = x!.size / Math.max(1, (dy as tf.Tensor).size);
    return { x: () => tf.broadcastTo(tf.div(expandedDy(dy as tf.Tensor, x!, axis), count), x!.shape) };
  },
};

export const LEAN_GRADIENTS: readonly tf.GradConfig[] = [sumGradConfig, meanGradConfig, fusedBatchNormGradConfig];

/** TF.js's own gradients that these replace, kept for tests that compare the two. */
const tfjsGradients = new Map<string, tf.GradConfig>();

export function tfjsGradient(kernelName: string): tf.GradConfig | undefined {
  return tfjsGradients.get(kernelName);
}

export function registerLeanGradients(): void {
  for (const config of LEAN_GRADIENTS) {
    const existing = tf.getGradient(config.kernelName);
    if (existing && existing !== config && !tfjsGradients.has(config.kernelName)) tfjsGradients.set(config.kernelName, existing);
    tf.registerGradient(config);
  }
}
