/**
 * countModelFlops against counts worked out by hand on small models, and on every registered
 * architecture: it counts them all, the backward pass costs between 1x and 2x the forward pass,
 * and the counts grow linearly with the batch.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { architectures, seedRandom } from '../src/index.js';
import { instantiate } from '../src/train.js';
import { countModelFlops } from '../src/tfjs/model-flops.js';

before(useTestBackend);

describe('countModelFlops on a hand-counted model', () => {
  // 8x8x3 → conv 3x3 'same' to 4 → batch norm → relu → conv 3x3 'valid' to 5 (6x6) → max pool 2 (3x3)
  // → flatten (45) → dense 10. Batch 2.
  function small(): tf.LayersModel {
    const input = tf.input({ shape: [8, 8, 3] });
    let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: 'relu' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'valid', name: 'c2' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.dense({ units: 10, name: 'fc' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: y });
  }

  it('counts conv and dense multiply-adds, forward and backward, and nothing else', () => {
    const model = small();
    try {
      const flops = countModelFlops(model, 2);
      const c1 = 2 * 2 * 8 * 8 * 4 * 3 * 3 * 3; // 27648
      const c2 = 2 * 2 * 6 * 6 * 5 * 4 * 3 * 3; // 25920
      const fc = 2 * 2 * 45 * 10; // 1800
      assert.deepEqual(flops.layers, [
        // the first convolution's input is the model's input: no input gradient
        { name: 'c1', className: 'Conv2D', forward: c1, backwardInput: 0, backwardWeights: c1 },
        { name: 'c2', className: 'Conv2D', forward: c2, backwardInput: c2, backwardWeights: c2 },
        { name: 'fc', className: 'Dense', forward: fc, backwardInput: fc, backwardWeights: fc },
      ]);
      assert.equal(flops.forward, 55368);
      assert.equal(flops.backward, 27648 + 2 * 25920 + 2 * 1800);
      assert.equal(flops.training, flops.forward + flops.backward);
    } finally {
      model.dispose();
    }
  });

  it('a frozen first layer makes the next one skip its input gradient, and has no weight gradient itself', () => {
    const model = small();
    try {
      model.getLayer('c1').trainable = false;
      model.getLayer('bn').trainable = false;
      const [c1, c2] = countModelFlops(model, 1).layers;
      assert.deepEqual([c1!.backwardInput, c1!.backwardWeights], [0, 0]);
      assert.equal(c2!.backwardInput, 0);
      assert.equal(c2!.backwardWeights, c2!.forward);
    } finally {
      model.dispose();
    }
  });

  it('counts a depthwise convolution by its taps per output', () => {
    const input = tf.input({ shape: [5, 5, 3] });
    const y = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', name: 'dw' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    try {
      assert.equal(countModelFlops(model, 4).forward, 2 * 4 * 3 * 3 * (3 * 2) * 3 * 3);
    } finally {
      model.dispose();
    }
  });

  it('refuses a layer with a kernel it cannot count, naming it', () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const y = tf.layers.separableConv2d({ filters: 3, kernelSize: 3, name: 'sep' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    try {
      assert.throws(() => countModelFlops(model, 1), /layer "sep" \(SeparableConv2D\) has a kernel this counter cannot count/);
      assert.throws(() => countModelFlops(model, 0), /batch must be a positive integer, received 0/);
    } finally {
      model.dispose();
    }
  });
});

for (const definition of architectures.list()) {
  const example = (definition.schema.examples as Record<string, unknown>[])[0]!;
  it(`countModelFlops counts architecture ${definition.name}: backward 1x-2x forward, linear in the batch`, () => {
    seedRandom(0);
    const model = instantiate(definition.name, example);
    try {
      const one = countModelFlops(model.net, 1);
      const three = countModelFlops(model.net, 3);
      assert.ok(one.forward > 0 && one.layers.length > 0, 'some multiply-add layers counted');
      assert.ok(one.backward >= one.forward && one.backward < 2 * one.forward, `backward ${one.backward} within [1, 2) x forward ${one.forward}`);
      assert.equal(three.training, 3 * one.training);
      const kernels = model.net.trainableWeights.filter((w) => /kernel$/.test(w.originalName)).length;
      assert.equal(one.layers.length, kernels, 'one counted layer per kernel');
    } finally {
      model.dispose();
    }
  });
}
