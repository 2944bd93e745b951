/**
 * Bundles of format version 1 (no input contract) keep working with every command: the
 * committed fixture, written by the version-1 writer, validates, inspects and predicts (8-bit
 * values scaled by 1/255, classes by index); eval guesses its dataset from the input shape, for
 * version 1 only, and says so.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { float32Bytes, idxBytes, npyBytes } from './helpers/array-files.js';
import { ROOT, runCli } from './helpers/cli.js';
import { jsonBytes, parseJson, rebuild, splitTar } from './helpers/tar-craft.js';
import { tempDir } from './helpers/tempdir.js';
import { selectBackend, seedRandom, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/format-v1/mlp.archbundle');
const dir = tempDir();

before(() => selectBackend('cpu')); // as the CLI children

describe('a format version 1 bundle', () => {
  it('validates, plain and --deep', async () => {
    for (const deep of [[], ['--deep']]) {
      const run = await runCli(['validate', FIXTURE, '--json', ...deep], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout)[0].valid, true);
    }
  });

  it('inspects: format 1, no input contract', async () => {
    const json = await runCli(['inspect', FIXTURE, '--json'], { cwd: dir });
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout);
    assert.equal(summary.input, null);
    assert.equal(summary.versions.format, 1);
    assert.equal(summary.class, 'MLP');
    const text = await runCli(['inspect', FIXTURE], { cwd: dir });
    assert.match(text.stdout, /^input: {6}\(none: format version 1 bundles hold no input contract\)$/m);
  });

  it('predicts: a .npy and a PNG, with the logits of the model, 8-bit values × 1/255, classes by index', async () => {
    const floats = Array.from({ length: 64 }, (_, i) => Math.fround(((i * 13) % 64) / 64));
    writeFileSync(path.join(dir, 'v1.npy'), npyBytes({ descr: '<f4', shape: [8, 8, 1], data: float32Bytes(floats) }));
    const pixels = Uint8Array.from({ length: 64 }, (_, i) => (i * 41) % 256);
    await sharp(Buffer.from(pixels), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(dir, 'v1.png'));
    const run = await runCli(['predict', FIXTURE, 'v1.npy', 'v1.png', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const { predictions } = JSON.parse(run.stdout);
    const state = await State.load(FIXTURE);
    const expected = [Float32Array.from(floats), Float32Array.from(pixels, (v) => v * (1 / 255))].map((x) =>
      tf.tidy(() => Array.from(state.model.predict(tf.tensor4d(x, [1, 8, 8, 1])).dataSync())),
    );
    state.optimizer?.dispose();
    state.model.dispose();
    assert.deepEqual(predictions.map((p: { logits: number[] }) => p.logits), expected);
    assert.deepEqual(predictions[0].top.map((t: { label: string }) => t.label), predictions[0].top.map((t: { class: number }) => String(t.class)));
    assert.equal(predictions[0].top.length, 4, 'top 5 capped at the 4 classes');
    const text = await runCli(['predict', FIXTURE, 'v1.npy'], { cwd: dir });
    assert.match(text.stdout, /^note: .*mlp\.archbundle holds no input contract \(format version 1\): 8-bit inputs scaled by 1\/255, classes shown by index\nv1\.npy\n/);
  });

  it('evaluates with --data; without, only its input shape could tell, and 1x8x8 tells nothing', async () => {
    const run = await runCli(['eval', FIXTURE, '--data', 'synthetic', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).datasetFrom, '--data');
    const guess = await runCli(['eval', FIXTURE], { cwd: dir });
    assert.equal(guess.code, 2);
    assert.match(guess.stderr, /no default dataset for inputs of 1x8x8; pass --data NAME/);
  });

  it('eval guesses fashion-mnist for 1x28x28 inputs, and says so; a version-2 bundle without a contract is not guessed for', async () => {
    seedRandom(2);
    const model = instantiate('MLP', { classes: 10, resolution: [1, 28, 28], hidden: [4] });
    const version2 = await new State(model).toBytes();
    model.dispose();
    // a version-1 bundle is a version-2 bundle without input.json, declaring version 1
    const entries = await splitTar(version2);
    for (const name of ['arch.json', 'manifest.json']) entries.set(name, jsonBytes({ ...parseJson(entries.get(name)), formatVersion: 1 }));
    writeFileSync(path.join(dir, 'old.archbundle'), rebuild(entries));
    writeFileSync(path.join(dir, 'new.archbundle'), version2);
    const data = path.join(dir, 'data', 'fashion-mnist');
    mkdirSync(data, { recursive: true });
    const images = Uint8Array.from({ length: 5 * 784 }, (_, i) => i % 251);
    for (const split of ['train', 't10k']) {
      writeFileSync(path.join(data, `${split}-images-idx3-ubyte`), idxBytes([5, 28, 28], images));
      writeFileSync(path.join(data, `${split}-labels-idx1-ubyte`), idxBytes([5], [0, 1, 2, 3, 4]));
    }
    const old = await runCli(['eval', 'old.archbundle', '--data-dir', 'data'], { cwd: dir });
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /^note: old\.archbundle is a format version 1 bundle without an input contract; dataset fashion-mnist guessed from its input shape 1x28x28\n/);
    const oldJson = await runCli(['eval', 'old.archbundle', '--data-dir', 'data', '--json'], { cwd: dir });
    assert.equal(JSON.parse(oldJson.stdout).datasetFrom, 'input shape');
    const fresh = await runCli(['eval', 'new.archbundle', '--data-dir', 'data'], { cwd: dir });
    assert.equal(fresh.code, 2);
    assert.equal(fresh.stderr, 'archbundle eval: new.archbundle holds no input contract (input.json) naming its dataset; pass --data NAME (see archbundle eval --help)\n');
  });
});
