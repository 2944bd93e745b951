/**
 * Initial weights follow the reference implementation's PyTorch initialisation (kaiming_normal_
 * with its gain and fan; defaults elsewhere).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { seedRandom, type Classifier } from '../src/index.js';
import { instantiate } from '../src/train.js';

before(useTestBackend);

function values(model: Classifier, name: string): { data: Float32Array; shape: number[] } {
  const weight = model.namedWeights().find((w) => w.name === name);
  assert.ok(weight, `weight ${name} exists`);
  return { data: weight.variable.read().dataSync() as Float32Array, shape: weight.variable.shape as number[] };
}

function std(data: Float32Array): number {
  const mean = data.reduce((a, b) => a + b, 0) / data.length;
  return Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length);
}

/** Sample std within 8% of gain / sqrt(fan), and not truncated at 2 std as TF.js's 'normal' would be. */
function assertKaiming(model: Classifier, name: string, gain: number, mode: 'in' | 'out'): void {
  const { data, shape } = values(model, name);
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fan = (mode === 'in' ? shape[shape.length - 2]! : shape[shape.length - 1]!) * receptive;
  const expected = gain / Math.sqrt(fan);
  const actual = std(data);
  assert.ok(Math.abs(actual / expected - 1) < 0.08, `${name}: std ${actual}, expected ${expected} (fan-${mode} ${fan})`);
  const max = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(max > 2.5 * expected, `${name}: plain normal, not truncated (max ${max / expected} std)`);
}

function assertConstant(model: Classifier, name: string, value: number): void {
  assert.ok(values(model, name).data.every((v) => v === value), `${name} is all ${value}`);
}

describe('initialisation as the reference implementation', () => {
  it('SimpleNet: kaiming_normal_ fan-in with the activation gain, zero bias', () => {
    seedRandom(11);
    const model = instantiate('SimpleNet', { classes: 10, resolution: [3, 16, 16], channels: 8, activation: 'tanh' });
    try {
      // at 16x16 blocks 9 and 10 are the 1x1 convolutions
      for (const name of ['conv2/kernel', 'conv7/kernel', 'conv9/kernel', 'conv10/kernel', 'conv11/kernel', 'logits/kernel']) assertKaiming(model, name, 5 / 3, 'in');
      assertConstant(model, 'conv2/bias', 0);
      assertConstant(model, 'bn2/gamma', 1);
      assertConstant(model, 'bn2/beta', 0);
      assertConstant(model, 'bn2/moving_variance', 1);
    } finally {
      model.dispose();
    }
  });

  it('ResNet: kaiming_normal_ fan-out for convolutions, fan-in for the logits', () => {
    seedRandom(12);
    const model = instantiate('ResNet', { classes: 10, resolution: [3, 8, 8], blocks: [1, 1], channels: 32 });
    try {
      for (const name of ['conv1/kernel', 'block0.0.conv1/kernel', 'block1.0.conv2/kernel', 'block1.0.downsample.0/kernel']) assertKaiming(model, name, Math.SQRT2, 'out');
      assertKaiming(model, 'logits/kernel', Math.SQRT2, 'in');
      assertConstant(model, 'block1.0.downsample.0/bias', 0);
    } finally {
      model.dispose();
    }
  });

  it("WideResNet: fan-out convolutions; the shortcut keeps PyTorch's default uniform(+-1/sqrt(fan-in))", () => {
    seedRandom(13);
    const model = instantiate('WideResNet', { classes: 10, resolution: [3, 8, 8], depth: 10, width: 4, channels: 16 });
    try {
      for (const name of ['conv0/kernel', 'block1.0.conv1/kernel', 'block3.0.conv2/kernel']) assertKaiming(model, name, Math.SQRT2, 'out');
      for (const [name, fanIn] of [['block2.0.shortcut.0/kernel', 64], ['block2.0.shortcut.0/bias', 64]] as const) {
        const { data } = values(model, name);
        const bound = 1 / Math.sqrt(fanIn);
        assert.ok(data.every((v) => Math.abs(v) <= bound), `${name} within +-${bound}`);
        assert.ok(Math.abs(std(data) / (bound / Math.sqrt(3)) - 1) < 0.15, `${name} spread of a uniform`);
      }
      assertConstant(model, 'block1.0.conv1/bias', 0);
    } finally {
      model.dispose();
    }
  });

  it('the same seed builds the same weights', () => {
    const build = () => {
      seedRandom(5);
      const model = instantiate('ResNet', { classes: 3, resolution: [1, 8, 8], blocks: [1], channels: 4 });
      const data = model.namedWeights().map((w) => Array.from(w.variable.read().dataSync()));
      model.dispose();
      return data;
    };
    assert.deepEqual(build(), build());
  });
});
