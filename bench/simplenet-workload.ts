/**
 * The training workload the benches time: the reference implementation's SimpleNet for 1x28x28
 * images and 10 classes (seeded weights), one fixed random batch, Adam at 1e-3. Build it after
 * the backend is selected; the same seeds give every bench the same model and batch.
 */
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, seedRandom, type Classifier } from '../src/index.js';
import { instantiate } from '../src/train.js';

export interface SimpleNetWorkload {
  model: Classifier;
  /** The batch, NHWC. */
  x: tf.Tensor4D;
  labels: tf.Tensor1D;
  optimizer: ReturnType<typeof createOptimizer>;
}

export function simpleNetWorkload({ batch = 128, channels = 16 }: { batch?: number; channels?: number } = {}): SimpleNetWorkload {
  seedRandom(0);
  const model = instantiate('SimpleNet', { classes: 10, resolution: [1, 28, 28], channels });
  return {
    model,
    x: tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D,
    labels: tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D,
    optimizer: createOptimizer('Adam', { learningRate: 1e-3 }),
  };
}
