/**
 * A SimpleNet bundle saved under schema version 1 (test/fixtures/simplenet-v1-16x16.bundle,
 * blocks 11..13 under their old fixed names) loads into today's SimpleNet, whose blocks are
 * numbered as the reference implementation counts them: every weight and momentum slot lands
 * under its new name, the logits are the saved ones bit for bit, training continues exactly as
 * it did without the save, and validate and inspect report the migration. The run uses the
 * backend the fixture's numbers were recorded on, since bit-exact logits belong to a backend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { parseJson, splitTar } from './helpers/tar-craft.js';
import { bufferIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';
import { createOptimizer, selectBackend, State, trainStep, type BackendRequest } from '../src/index.js';

interface Stored {
  shape: number[];
  values: number[];
}
interface Expected {
  backend: BackendRequest;
  input: Stored;
  labels: number[];
  logits: Stored;
  logitsAfterStep: Stored;
}

const bundleFile = fileURLToPath(new URL('./fixtures/simplenet-v1-16x16.bundle', import.meta.url));
const bytes = readFileSync(bundleFile);
const expected = JSON.parse(readFileSync(new URL('./fixtures/simplenet-v1-16x16.json', import.meta.url), 'utf8')) as Expected;
/** How version 1 named the blocks it numbered 11, 12, 13 below 32x32. */
const OLD_TO_NEW: Record<string, string> = { conv11: 'conv9', bn11: 'bn9', conv12: 'conv10', bn12: 'bn10', conv13: 'conv11', bn13: 'bn11' };
const renamed = (name: string) => {
  const [layer, ...rest] = name.split('/');
  return [OLD_TO_NEW[layer!] ?? layer, ...rest].join('/');
};

let x: tf.Tensor4D;
let y: tf.Tensor1D;
/** The stored tensors by their version 1 names, straight from the tar. */
let stored: Map<string, Buffer>;

async function storedTensors(): Promise<Map<string, Buffer>> {
  const entries = await splitTar(bytes);
  const out = new Map<string, Buffer>();
  for (const [table, bin] of [['weights.json', 'weights.bin'], ['optimizer.json', 'optimizer.bin']] as const) {
    const data = Buffer.from(entries.get(bin)!);
    for (const t of parseJson(entries.get(table)).tensors) out.set(t.name, data.subarray(t.byteOffset, t.byteOffset + t.byteLength));
  }
  return out;
}

const bytesOf = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer.slice(0));

before(async () => {
  await selectBackend(expected.backend);
  x = tf.tensor4d(expected.input.values, expected.input.shape as [number, number, number, number]);
  y = tf.tensor1d(expected.labels, 'int32');
  stored = await storedTensors();
});
after(() => tf.dispose([x, y]));

describe('a SimpleNet bundle of schema version 1 (16x16, old block names)', () => {
  it('really holds the old names', () => {
    assert.ok(stored.has('conv13/kernel') && stored.has('bn12/moving_mean') && stored.has('conv12/bias/momentum_buffer'));
    assert.ok(!stored.has('conv9/kernel'));
  });

  it('loads every weight under its new name, with the logits it was saved with, bit for bit', async () => {
    const state = await State.load(bytes);
    try {
      assert.deepEqual(state.model.args.resolution, [1, 16, 16]);
      const weights = state.model.namedWeights();
      const names = weights.map((w) => w.name);
      assert.ok(names.includes('conv9/kernel') && names.includes('bn11/moving_variance'));
      assert.ok(!names.some((n) => n.startsWith('conv12/') || n.startsWith('conv13/')));
      const byName = new Map(weights.map((w) => [w.name, w]));
      for (const [old, data] of [...stored].filter(([n]) => n.split('/').length === 2)) {
        assert.ok(bytesOf(byName.get(renamed(old))!.variable.read()).equals(data), `${old} → ${renamed(old)}`);
      }
      assert.deepEqual(state.model.predict(x).dataSync(), Float32Array.from(expected.logits.values));
    } finally {
      state.optimizer?.dispose();
      state.model.dispose();
    }
  });

  it('keeps the momentum slots under the new names: one more step equals the step taken without the save', async () => {
    const state = await State.load(bytes);
    try {
      const slots = state.optimizer!.getState();
      assert.equal(slots.step, 2);
      const slotBytes = new Map(slots.tensors.map((t) => [t.name, bytesOf(t.tensor)]));
      tf.dispose(slots.tensors.map((t) => t.tensor));
      const storedSlots = [...stored].filter(([n]) => n.endsWith('/momentum_buffer'));
      assert.equal(slotBytes.size, storedSlots.length);
      for (const [old, data] of storedSlots) assert.ok(slotBytes.get(renamed(old))?.equals(data), `${old} → ${renamed(old)}`);
      trainStep(state.model, state.optimizer!, x, y);
      assert.deepEqual(state.model.predict(x).dataSync(), Float32Array.from(expected.logitsAfterStep.values));
    } finally {
      state.optimizer?.dispose();
      state.model.dispose();
    }
  });

  it('(control) without the momentum slots the same step gives other logits', async () => {
    const state = await State.load(bytes);
    const fresh = createOptimizer('SGD', { learningRate: 0.05, momentum: 0.9, weightDecay: 0.001 });
    try {
      trainStep(state.model, fresh, x, y);
      assert.notDeepEqual(state.model.predict(x).dataSync(), Float32Array.from(expected.logitsAfterStep.values));
    } finally {
      fresh.dispose();
      state.optimizer?.dispose();
      state.model.dispose();
    }
  });

  it('saves again under schema version 2 and the new names', async () => {
    const state = await State.load(bytes);
    try {
      const entries = await splitTar(await state.toBytes());
      assert.equal(parseJson(entries.get('arch.json')).schemaVersion, 2);
      const names = parseJson(entries.get('weights.json')).tensors.map((t: { name: string }) => t.name);
      assert.deepEqual(names, [...stored.keys()].filter((n) => n.split('/').length === 2).map(renamed));
    } finally {
      state.optimizer?.dispose();
      state.model.dispose();
    }
  });

  it('validate --deep passes and inspect shows the migration and the new names', async () => {
    const validate = bufferIo();
    assert.equal(await main(['validate', '--deep', '--backend', expected.backend, bundleFile], validate), 0, validate.stdout + validate.stderr);
    assert.match(validate.stdout, /^ok /);
    const inspect = bufferIo();
    assert.equal(await main(['inspect', bundleFile, '--json'], inspect), 0, inspect.stderr);
    const summary = JSON.parse(inspect.stdout);
    assert.equal(summary.savedSchemaVersion, 1);
    assert.equal(summary.schemaVersion, 2);
    assert.equal(summary.migrations.length, 1);
    assert.match(summary.migrations[0], /^1→2: /);
    assert.deepEqual(summary.renamedLayers, OLD_TO_NEW);
    const names = summary.tensors.map((t: { name: string }) => t.name);
    assert.ok(names.includes('conv9/kernel') && names.includes('conv11/kernel') && !names.includes('conv13/kernel'));
    const text = bufferIo();
    assert.equal(await main(['inspect', bundleFile], text), 0);
    assert.match(text.stdout, /migrated from 1: 1→2: /);
    assert.match(text.stdout, /renamed: {4}conv11 → conv9, bn11 → bn9, conv12 → conv10, bn12 → bn10, conv13 → conv11, bn13 → bn11/);
  });
});
