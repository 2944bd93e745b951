import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { GroupNormalization, groupCount } from '../src/train.js';

before(useTestBackend);

/** PyTorch's GroupNorm written out with loops over an NHWC array (biased variance, eps inside the root). */
function referenceGroupNorm(x: number[], [n, h, w, c]: [number, number, number, number], groups: number, gamma: number[], beta: number[], eps = 1e-5): number[] {
  const out = new Array<number>(x.length);
  const per = c / groups;
  const at = (b: number, i: number, j: number, k: number) => ((b * h + i) * w + j) * c + k;
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let k = g * per; k < (g + 1) * per; k++) idx.push(at(b, i, j, k));
      const mean = idx.reduce((s, t) => s + x[t]!, 0) / idx.length;
      const variance = idx.reduce((s, t) => s + (x[t]! - mean) ** 2, 0) / idx.length;
      for (const t of idx) {
        const k = t % c;
        out[t] = ((x[t]! - mean) / Math.sqrt(variance + eps)) * gamma[k]! + beta[k]!;
      }
    }
  }
  return out;
}

describe('GroupNormalization', () => {
  it('matches the PyTorch formula, with trained gamma and beta', () => {
    const shape: [number, number, number, number] = [2, 3, 4, 6];
    const values = Array.from({ length: 2 * 3 * 4 * 6 }, (_, i) => Math.sin(i * 0.7) * 3 + (i % 5));
    const layer = new GroupNormalization({ name: 'gn', groups: 3 });
    const x = tf.tensor4d(values, shape);
    layer.apply(x);
    const gamma = [0.5, 1, 1.5, 2, -1, 0.25];
    const beta = [0, 0.1, -0.2, 0.3, 1, -1];
    layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta)]);
    const y = layer.apply(x) as tf.Tensor;
    const expected = referenceGroupNorm(values, shape, 3, gamma, beta);
    const actual = Array.from(y.dataSync());
    actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-4, `element ${i}: ${v} vs ${expected[i]}`));
    assert.deepEqual(layer.weights.map((w) => w.originalName), ['gn/gamma', 'gn/beta']);
    assert.ok(layer.trainableWeights.length === 2);
    tf.dispose([x, y]);
  });

  it('stays accurate for inputs with a large mean (two-pass variance)', () => {
    const shape: [number, number, number, number] = [1, 4, 4, 4];
    const values = Array.from({ length: 64 }, (_, i) => 1000 + Math.sin(i * 1.3));
    const layer = new GroupNormalization({ name: 'gn_large', groups: 2 });
    const x = tf.tensor4d(values, shape);
    const y = layer.apply(x) as tf.Tensor;
    const expected = referenceGroupNorm(Array.from(x.dataSync()), shape, 2, [1, 1, 1, 1], [0, 0, 0, 0]);
    Array.from(y.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 2e-3, `element ${i}: ${v} vs ${expected[i]}`));
    tf.dispose([x, y]);
  });

  it('passes gradients to its input, gamma and beta', () => {
    const layer = new GroupNormalization({ name: 'gn2', groups: 2 });
    const x = tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 5);
    layer.apply(x);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, tf.range(0, 32).reshape([2, 2, 2, 4]))) as tf.Scalar);
    for (const name of Object.keys(grads)) assert.ok(tf.abs(grads[name]!).sum().dataSync()[0]! > 0, `${name} gets a gradient`);
    assert.equal(Object.keys(grads).length, 2);
    tf.dispose([x, ...Object.values(grads)]);
  });

  it('starts gamma at zero when asked (zero-initialised residuals)', () => {
    const layer = new GroupNormalization({ name: 'gn3', groups: 2, zeroGamma: true });
    const x = tf.ones([1, 2, 2, 4]);
    const y = layer.apply(x) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), new Array(16).fill(0));
    tf.dispose([x, y]);
  });

  it('rejects channels that the groups do not divide, naming the layer', () => {
    const layer = new GroupNormalization({ name: 'gn4', groups: 3 });
    assert.throws(() => layer.apply(tf.input({ shape: [2, 2, 4] })), /GroupNormalization "gn4".*3 groups/);
  });

  it("uses the reference implementation's group count", () => {
    assert.deepEqual([2, 4, 8, 16, 64, 96, 640, 2048].map(groupCount), [1, 2, 4, 8, 32, 32, 32, 32]);
    assert.equal(groupCount(48), 24);
    assert.equal(groupCount(80), 16);
    assert.throws(() => groupCount(1), /1 channels/);
    assert.throws(() => groupCount(100), /100 channels/);
  });
});
