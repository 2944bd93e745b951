import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../tfjs/classifier.js';
import type { InferenceEngine } from './engine.js';

/** The model's own TF.js forward (evaluation mode) on the selected backend: the reference every other engine is held to. */
export function tfjsEngine(model: Classifier, threads: number | null = null): InferenceEngine {
  const [channels, height, width] = model.args.resolution as [number, number, number];
  return {
    name: 'tfjs',
    threads,
    async logits({ x, size }) {
      return tf.tidy(() => model.predict(tf.tensor4d(x, [size, height, width, channels])).dataSync() as Float32Array);
    },
    async dispose() {},
  };
}
