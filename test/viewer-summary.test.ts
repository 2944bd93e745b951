/**
 * The viewer's bundle summary (src/tfjs/summary) on a real trained bundle: the numbers
 * `archbundle inspect --json` prints, the schema's documentation beside each argument, the
 * layer graph, and per-tensor statistics and changes equal to a direct computation.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { createModel, createOptimizer, createScheduler, seedRandom, State, trainStep } from '../src/index.js';
import { openBundleFile } from '../src/node/files/bundle-file.js';
import { loadLive, type LoadedBundle } from '../src/tfjs/bundle/load-live.js';
import { trainingFactories } from '../src/tfjs/train/factories.js';
import { summarizeBundle, weightValues } from '../src/tfjs/summary/summarize.js';
import { readWeightValues } from '../src/tfjs/summary/read-weights.js';
import { compareTensors } from '../src/tfjs/summary/tensor-change.js';
import { HISTOGRAM_BINS, tensorStats } from '../src/tfjs/summary/tensor-stats.js';
import type { BundleSummary } from '../src/core/viewer-protocol.js';

before(useTestBackend);

const dir = tempDir('archbundle-viewer-summary-');
const first = path.join(dir, 'epoch-0001.archbundle');
const second = path.join(dir, 'epoch-0002.archbundle');

/** A small ResNet (it has a skip connection) trained two epochs of two steps, checkpointed after each. */
async function trainTinyRun(): Promise<void> {
  seedRandom(3);
  const model = createModel('ResNet', { classes: 3, resolution: [1, 8, 8], blocks: [1, 1], channels: 4, bias: false });
  const optimizer = createOptimizer('Adam', { learningRate: 1e-2 });
  const scheduler = createScheduler('CosineAnnealingLR', { tMax: 2 }, optimizer);
  const x = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 1);
  const y = tf.tensor1d([0, 1, 2, 1], 'int32');
  const metrics: Record<string, number | null>[] = [];
  for (let epoch = 1; epoch <= 2; epoch++) {
    const loss = (trainStep(model, optimizer, x, y) + trainStep(model, optimizer, x, y)) / 2;
    metrics.push({ epoch, loss, accuracy: 0.5, val_loss: null, learningRate: optimizer.learningRate });
    scheduler.step({ loss });
    await State.checkpoint(epoch === 1 ? first : second, model, optimizer, scheduler, epoch, { globalStep: 2 * epoch, metrics: [...metrics] });
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
}

async function load(file: string): Promise<LoadedBundle> {
  return loadLive(await openBundleFile(file), { factories: trainingFactories });
}

describe('summarizeBundle', () => {
  let summary: BundleSummary;
  let loaded: LoadedBundle;
  before(async () => {
    await trainTinyRun();
    loaded = await load(second);
    summary = summarizeBundle(loaded, { name: 'epoch-0002.archbundle', bytes: 1234 });
  });
  after(() => {
    loaded.model.dispose();
    loaded.optimizer?.dispose();
  });

  it('gives the class, arguments, parameters, tensors, optimizer, scheduler, training and versions as inspect --json does', async () => {
    const run = await runCli(['inspect', second, '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const inspected = JSON.parse(run.stdout);
    assert.equal(summary.class, inspected.class);
    assert.equal(summary.schemaId, inspected.schemaId);
    assert.equal(summary.schemaVersion, inspected.schemaVersion);
    assert.equal(summary.parameters, inspected.parameters);
    assert.deepEqual(Object.fromEntries(summary.args.map((a) => [a.name, a.value])), inspected.args);
    assert.deepEqual(summary.tensors.map((t) => [t.name, t.dtype, t.shape]), inspected.tensors.map((t: { name: string; dtype: string; shape: number[] }) => [t.name, t.dtype, t.shape]));
    assert.deepEqual(summary.optimizer, inspected.optimizer);
    assert.deepEqual(summary.scheduler, inspected.scheduler);
    assert.equal(summary.training.epoch, inspected.epoch);
    assert.equal(summary.training.globalStep, inspected.globalStep);
    assert.deepEqual(summary.training.metrics, inspected.metrics);
    assert.deepEqual(summary.versions, inspected.versions);
    assert.deepEqual(summary.checksums, { verified: true, entries: 7 });
    assert.equal(summary.name, 'epoch-0002.archbundle');
    assert.equal(summary.bytes, 1234);
  });

  it('documents each argument from the schema and marks the ones that differ from its default', () => {
    const channels = summary.args.find((a) => a.name === 'channels')!;
    assert.equal(channels.title, 'Channels');
    assert.ok(channels.description && channels.description.length > 10);
    assert.equal(channels.isDefault, false);
    const bias = summary.args.find((a) => a.name === 'bias')!;
    assert.equal(bias.value, false);
    const whitening = summary.args.find((a) => a.name === 'whitening')!;
    assert.equal(whitening.isDefault, true, 'null equals a default of null');
    const classes = summary.args.find((a) => a.name === 'classes')!;
    assert.equal('default' in classes, false);
    assert.equal(classes.isDefault, false);
  });

  it('lists the layers with their types, shapes, parameters and inputs, the skip connection included', () => {
    const total = summary.layers.reduce((n, l) => n + l.parameters, 0);
    assert.equal(total, summary.parameters, 'every stored weight belongs to a layer');
    assert.equal(summary.layers[0]!.type, 'InputLayer');
    assert.deepEqual(summary.layers[0]!.inputs, []);
    const add = summary.layers.find((l) => l.type === 'Add');
    assert.ok(add, 'a residual unit adds its branch and its shortcut');
    assert.equal(add.inputs.length, 2);
    const last = summary.layers.at(-1)!;
    assert.deepEqual(last.outputShape, [null, 3]);
    const names = new Set(summary.layers.map((l) => l.name));
    for (const layer of summary.layers) for (const input of layer.inputs) assert.ok(names.has(input), `${layer.name}'s input ${input} is a layer`);
    assert.ok(summary.trainableParameters > 0 && summary.trainableParameters <= summary.parameters);
  });

  it('gives each tensor the statistics of its values, computed directly', () => {
    const values = new Map(weightValues(loaded).map((w) => [w.name, Array.from(w.values)]));
    for (const t of summary.tensors) {
      const v = values.get(t.name)!;
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${t.name} ${what}: ${a} vs ${b}`);
      close(t.min, Math.min(...v), 'min');
      close(t.max, Math.max(...v), 'max');
      close(t.mean, mean, 'mean');
      close(t.std, Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length), 'std');
      close(t.norm, Math.sqrt(v.reduce((a, b) => a + b * b, 0)), 'norm');
      close(t.zeros, v.filter((x) => x === 0).length / v.length, 'zeros');
      const counts = t.histogram.counts;
      assert.equal(counts.reduce((a, b) => a + b, 0), v.length, `${t.name}: every value in a bin`);
      assert.equal(t.histogram.edges.length, counts.length + 1);
    }
    const kernel = summary.tensors.find((t) => t.name === 'conv1/kernel')!;
    assert.equal(kernel.histogram.counts.length, HISTOGRAM_BINS);
  });
});

describe('tensorStats and compareTensors', () => {
  it('bins values as a direct count does, the maximum in the last bin', () => {
    const values = Float32Array.from([0, 0, 1, 2, 3, 4, -4, 0.5, 10, -10]);
    const stats = tensorStats(values, 4);
    assert.deepEqual(stats.histogram, { edges: [-10, -5, 0, 5, 10], counts: [1, 1, 7, 1] });
    assert.equal(stats.zeros, 0.2);
    assert.equal(stats.min, -10);
    assert.equal(stats.max, 10);
    const constant = tensorStats(Float32Array.from([2, 2, 2]));
    assert.deepEqual(constant.histogram, { edges: [2, 2], counts: [3] });
    assert.equal(constant.std, 0);
  });

  it('gives ‖a − b‖ / ‖b‖ per same-named, same-shaped tensor, and lists the rest', () => {
    const { changes, unmatched } = compareTensors(
      [
        { name: 'w', shape: [2], values: [3, 4] },
        { name: 'v', shape: [3], values: [1, 1, 1] },
        { name: 'only-a', shape: [1], values: [1] },
      ],
      [
        { name: 'w', shape: [2], values: [0, 0] },
        { name: 'v', shape: [3], values: [1, 2, 2] },
        { name: 'z', shape: [1], values: [0] },
      ],
    );
    assert.deepEqual(changes, [
      { name: 'w', shape: [2], distance: 5, relative: null },
      { name: 'v', shape: [3], distance: Math.sqrt(2), relative: Math.sqrt(2) / 3 },
    ]);
    assert.deepEqual(unmatched, ['z', 'only-a']);
  });

  it('reads two checkpoints of a run without TF.js with the live model\'s values, every tensor compared', async () => {
    const a = await readWeightValues(await openBundleFile(second));
    const b = await readWeightValues(await openBundleFile(first));
    const { changes, unmatched } = compareTensors(a, b);
    assert.deepEqual(unmatched, []);
    assert.equal(changes.length, a.length);
    const kernel = changes.find((c) => c.name === 'conv1/kernel')!;
    assert.ok(kernel.relative! > 0 && kernel.relative! < 1, `conv1/kernel moved by ${kernel.relative}`);
    const loaded = await load(second);
    try {
      const live = weightValues(loaded);
      assert.deepEqual(live.map((w) => [w.name, Array.from(w.values)]), a.map((w) => [w.name, Array.from(w.values)]), 'the core reader gives the live model\'s values');
    } finally {
      loaded.model.dispose();
      loaded.optimizer?.dispose();
    }
  });
});
