import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';

/** Examples per forward pass, so a large IDX file never becomes one huge tensor. */
const BATCH = 256;

/**
 * The model's logits (inference mode) for each example, each `height × width × channels` NHWC
 * floats; examples go through the model in batches of up to 256, in order.
 */
export function predictLogits(model: Classifier, examples: readonly Float32Array[], shape: readonly [number, number, number]): Float32Array[] {
  const [height, width, channels] = shape;
  const size = height * width * channels;
  const out: Float32Array[] = [];
  for (let start = 0; start < examples.length; start += BATCH) {
    const batch = examples.slice(start, start + BATCH);
    const x = new Float32Array(batch.length * size);
    batch.forEach((example, n) => x.set(example, n * size));
    const logits = tf.tidy(() => model.predict(tf.tensor4d(x, [batch.length, height, width, channels])).dataSync() as Float32Array);
    const classes = logits.length / batch.length;
    for (let n = 0; n < batch.length; n += 1) out.push(logits.slice(n * classes, (n + 1) * classes));
  }
  return out;
}
