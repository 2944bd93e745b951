/**
 * What the loop test in architectures.test.ts can't see: the rules of each architecture taken from
 * the reference implementation.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { simpleNetPlan } from '../architectures/simplenet/plan.js';
import { createModel, seedRandom, ValidationError, resnetPreset, architectures } from '../src/index.js';
import { instantiate, RESNET_PRESETS } from '../src/train.js';

before(useTestBackend);

function pointersOf(name: string, args: unknown): string[] {
  try {
    architectures.validate(name, args);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues.map((i) => i.pointer);
    throw e;
  }
  return [];
}

/** PyTorch's output size for a convolution or pooling. */
const torchSize = (size: number, kernel: number, stride: number, padding: number) => Math.floor((size + 2 * padding - kernel) / stride) + 1;

function layerShapes(model: { net: tf.LayersModel }): Map<string, (number | null)[]> {
  return new Map(model.net.layers.map((l) => [l.name, l.outputShape as (number | null)[]]));
}

describe('SimpleNet', () => {
  it('needs height and width >= 16, naming /resolution/1 or /resolution/2', () => {
    assert.deepEqual(pointersOf('SimpleNet', { classes: 10, resolution: [1, 15, 16] }), ['/resolution/1']);
    assert.deepEqual(pointersOf('SimpleNet', { classes: 10, resolution: [1, 16, 8] }), ['/resolution/2']);
    assert.deepEqual(pointersOf('SimpleNet', { classes: 10, resolution: [1, 16, 16] }), []);
  });

  it('has 13 blocks at 32x32 and up, else 11, numbered in order as the reference implementation counts them', () => {
    const blocks = (h: number, w: number) => simpleNetPlan(4, h, w).map((b) => [b.block, b.kernelSize, b.pool ? 'pool' : '']);
    const small = [[1, 3, ''], [2, 3, ''], [3, 3, ''], [4, 3, 'pool'], [5, 3, ''], [6, 3, ''], [7, 3, 'pool'], [8, 3, ''], [9, 1, ''], [10, 1, 'pool'], [11, 3, '']];
    assert.deepEqual(blocks(28, 28), small);
    assert.deepEqual(blocks(32, 31), small);
    assert.deepEqual(blocks(32, 32), [...small.slice(0, 8), [9, 3, 'pool'], [10, 3, 'pool'], [11, 1, ''], [12, 1, 'pool'], [13, 3, '']]);
  });

  it("names layers as the reference implementation does and pools to 1x1 at odd sizes", () => {
    seedRandom(0);
    const model = createModel('SimpleNet', { classes: 3, resolution: [1, 28, 20], channels: 2, dropout: true, normalization: 'gn' });
    try {
      const names = model.namedWeights().map((w) => w.name);
      assert.deepEqual(names.slice(0, 4), ['conv1/kernel', 'conv1/bias', 'gn1/gamma', 'gn1/beta']);
      assert.deepEqual(names.slice(-2), ['logits/kernel', 'logits/bias']);
      const shapes = layerShapes(model);
      // below 32x32 the last block is 11, and so are the final pool, dropout and flatten
      assert.deepEqual(shapes.get('pool11'), [null, 1, 1, 8]);
      assert.ok(shapes.has('drop4') && shapes.has('drop10') && shapes.has('drop11') && shapes.has('view11'));
      assert.ok(!shapes.has('conv12') && !shapes.has('pool13'));
    } finally {
      model.dispose();
    }
  });

  it('rejects group norm over a width no group count divides', () => {
    assert.deepEqual(pointersOf('SimpleNet', { classes: 10, resolution: [1, 16, 16], channels: 1, normalization: 'gn' }), ['/channels']);
  });
});

describe('ResNet', () => {
  it('presets are those of the reference implementation\'s example and validate as complete arguments', () => {
    assert.deepEqual(RESNET_PRESETS.resnet20, { blocks: [3, 3, 3], block: 'basic' });
    for (const preset of Object.keys(RESNET_PRESETS) as (keyof typeof RESNET_PRESETS)[]) {
      const args = resnetPreset(preset, { classes: 10, resolution: [3, 32, 32] });
      assert.deepEqual(architectures.validate('ResNet', args), args, `${preset} is complete`);
    }
    assert.equal(resnetPreset('resnet50', { classes: 10, resolution: [3, 32, 32], normalization: 'gn' }).normalization, 'gn');
  });

  it('zero residuals start every unit as relu(identity) and put gamma 0 in the last norm only', () => {
    seedRandom(0);
    const model = createModel('ResNet', { classes: 2, resolution: [1, 8, 8], blocks: [2], channels: 4, block: 'bottleneck' });
    try {
      const gamma = (name: string) => Array.from(model.namedWeights().find((w) => w.name === name)!.variable.read().dataSync());
      assert.deepEqual(gamma('block0.0.norm3/gamma'), new Array(16).fill(0));
      assert.deepEqual(gamma('block0.1.norm3/gamma'), new Array(16).fill(0));
      assert.deepEqual(gamma('block0.0.norm1/gamma'), new Array(4).fill(1));
      assert.deepEqual(gamma('block0.0.downsample.1/gamma'), new Array(16).fill(1));
      // The second unit has no projection: its output is relu of its input.
      const probe = tf.model({ inputs: model.net.inputs, outputs: [model.net.getLayer('block0.0.relu3').output as tf.SymbolicTensor, model.net.getLayer('block0.1.relu3').output as tf.SymbolicTensor] });
      const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 1);
      const [first, second] = probe.predict(x) as tf.Tensor[];
      assert.ok(tf.max(tf.abs(tf.sub(second!, first!))).dataSync()[0]! < 1e-6);
      tf.dispose([x, first!, second!]);
    } finally {
      model.dispose();
    }
  });

  it('names weights by PyTorch module path and downsamples like PyTorch (shapes)', () => {
    seedRandom(0);
    for (const size of [9, 10, 15]) {
      const model = createModel('ResNet', { classes: 2, resolution: [1, size, size], blocks: [1, 1, 1], channels: 2, normalization: 'none', zeroResiduals: false });
      try {
        const names = model.namedWeights().map((w) => w.name);
        assert.ok(names.includes('block1.0.conv1/kernel') && names.includes('block1.0.downsample.0/kernel') && names.includes('block1.0.downsample.0/bias'));
        const shapes = layerShapes(model);
        let previous = size;
        for (const stage of [1, 2]) {
          const expected = torchSize(previous, 3, 2, 1);
          assert.equal(torchSize(previous, 1, 2, 0), expected, "PyTorch's projection and 3x3 conv agree");
          assert.deepEqual(shapes.get(`block${stage}.0.conv1`)!.slice(1, 3), [expected, expected], `block${stage} at ${size}`);
          assert.deepEqual(shapes.get(`block${stage}.0.downsample.0`)!.slice(1, 3), [expected, expected]);
          previous = expected;
        }
      } finally {
        model.dispose();
      }
    }
  });
});

describe('WideResNet', () => {
  it('needs depth = 6n + 4, naming /depth', () => {
    assert.deepEqual(pointersOf('WideResNet', { classes: 10, resolution: [3, 32, 32], depth: 27 }), ['/depth']);
    assert.deepEqual(pointersOf('WideResNet', { classes: 10, resolution: [3, 32, 32], depth: 28 }), []);
    assert.deepEqual(pointersOf('WideResNet', { classes: 10, resolution: [3, 32, 32], depth: 4 }), ['/depth']);
  });

  it("has the reference implementation's layout: conv0, pre-activation units, bn3, shortcut convs with bias", () => {
    seedRandom(0);
    const model = instantiate('WideResNet', { classes: 3, resolution: [1, 11, 11], depth: 16, width: 2, channels: 4, dropout: true, bias: false });
    try {
      const names = model.namedWeights().map((w) => w.name);
      assert.equal(names[0], 'conv0/kernel');
      assert.ok(names.includes('block1.0.norm1/gamma') && names.includes('block1.0.shortcut.0/bias') && !names.includes('block1.1.shortcut.0/kernel'));
      assert.ok(!names.includes('block1.0.conv1/bias'), 'bias: false drops the unit convs\' bias');
      assert.ok(names.includes('bn3/gamma'));
      const shapes = layerShapes(model);
      const s2 = torchSize(11, 3, 2, 1);
      const s3 = torchSize(s2, 3, 2, 1);
      assert.deepEqual(shapes.get('block2.0.conv2'), [null, s2, s2, 16]);
      assert.deepEqual(shapes.get('block3.0.shortcut.0'), [null, s3, s3, 32]);
      assert.ok(shapes.has('block3.1.drop1'));
    } finally {
      model.dispose();
    }
  });
});

describe('LeNet', () => {
  it('needs height and width >= 12 and is LeNet-5 at 28x28', () => {
    assert.deepEqual(pointersOf('LeNet', { classes: 10, resolution: [1, 11, 12] }), ['/resolution/1']);
    seedRandom(0);
    const model = createModel('LeNet', { classes: 10, resolution: [1, 28, 28] });
    try {
      // LeNet-5 with a padded first convolution: 156 + 2416 + 48120 + 10164 + 850.
      assert.equal(model.parameterCount(), 61706);
      assert.deepEqual(layerShapes(model).get('pool2'), [null, 5, 5, 16]);
    } finally {
      model.dispose();
    }
  });

  it('averages with pooling avg (LeNet-5 subsampling) and sizes fc1 from the input', () => {
    seedRandom(0);
    const model = createModel('LeNet', { classes: 10, resolution: [3, 32, 32], pooling: 'avg', activation: 'tanh', units: [32] });
    try {
      assert.equal(model.net.getLayer('pool1').getClassName(), 'AveragePooling2D');
      assert.deepEqual(layerShapes(model).get('flatten'), [null, 6 * 6 * 16]);
      assert.deepEqual(model.namedWeights().map((w) => w.name).slice(-4), ['fc1/kernel', 'fc1/bias', 'logits/kernel', 'logits/bias']);
    } finally {
      model.dispose();
    }
  });
});
