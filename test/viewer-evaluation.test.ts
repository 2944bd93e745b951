/**
 * The evaluation the viewer shows and the report embeds, on the Node side: the pure scores
 * (src/core/evaluation-summary.ts) against a direct computation with TF.js, and `evaluateBundle`
 * against `archbundle eval --json` on the same bundle and data (same examples, same accuracy,
 * confusion and loss), with the misclassified examples' images being the dataset's own pixels;
 * and the browser's image stretching against sharp's, which `archbundle predict --resize` uses.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { idxBytes } from './helpers/array-files.js';
import { runCli } from './helpers/cli.js';
import { seededValues } from './helpers/compare.js';
import { tempDir } from './helpers/tempdir.js';
import { inputContract, selectBackend, State } from '../src/index.js';
import { instantiate } from '../src/train.js';
import { scoreLogits } from '../src/core/evaluation-summary.js';
import { evaluateBundle } from '../src/node/viewer/evaluate.js';
import { resizeLinear } from '../src/viewer/inference/resize.js';

const LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const dir = tempDir();
const COUNT = 120;
let images: Uint8Array;

before(async () => {
  await selectBackend('cpu');
  const data = path.join(dir, 'data');
  mkdirSync(data);
  const labels = Array.from({ length: COUNT }, (_, i) => (i * 7) % 10);
  images = Uint8Array.from({ length: COUNT * 784 }, (_, p) => (p * 31 + Math.floor(p / 784) * 13 + ((p * p) % 11)) % 256);
  for (const prefix of ['train', 't10k']) {
    writeFileSync(path.join(data, `${prefix}-images-idx3-ubyte`), idxBytes([COUNT, 28, 28], images));
    writeFileSync(path.join(data, `${prefix}-labels-idx1-ubyte`), idxBytes([COUNT], labels));
  }
  // an untrained model: its mistakes are many and spread, which is what the comparison needs
  const model = instantiate('SimpleNet', { classes: 10, resolution: [1, 28, 28], channels: 4 });
  const contract = inputContract({ resolution: [1, 28, 28], labels: LABELS, dataset: 'fashion-mnist' });
  await State.checkpoint(path.join(dir, 'model.archbundle'), model, undefined, undefined, 1, {}, contract);
  model.dispose();
});

describe('scoreLogits', () => {
  it('equals accuracy, cross-entropy and the confusion matrix computed with TF.js', () => {
    const classes = 5;
    const n = 300;
    const flat = seededValues(n * classes, 7).map((v) => v * 6);
    const logits = Array.from({ length: n }, (_, i) => flat.subarray(i * classes, (i + 1) * classes));
    const targets = Array.from({ length: n }, (_, i) => (i * 3 + (i >> 4)) % classes);
    const labels = ['a', 'b', 'c', 'd', 'e'];
    const scores = scoreLogits(logits, targets, { labels, classes, maxMisclassified: 10 });

    const [loss, predicted] = tf.tidy(() => {
      const z = tf.tensor2d(flat, [n, classes]);
      const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), classes);
      return [tf.losses.softmaxCrossEntropy(oneHot, z).dataSync()[0]!, Array.from(z.argMax(1).dataSync())] as const;
    });
    const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    targets.forEach((t, i) => (confusion[t]![predicted[i]!]! += 1));
    const correct = targets.filter((t, i) => predicted[i] === t).length;

    assert.equal(scores.examples, n);
    assert.equal(scores.accuracy, correct / n);
    assert.ok(Math.abs(scores.loss - loss) < 1e-5 * Math.max(1, loss), `loss ${scores.loss} vs TF.js ${loss}`);
    assert.deepEqual(scores.confusion, confusion);
    assert.deepEqual(
      scores.perClass.map((c) => [c.class, c.label, c.examples, c.accuracy]),
      confusion.map((row, c) => [c, labels[c], row.reduce((a, b) => a + b, 0), row[c]! / row.reduce((a, b) => a + b, 0)]),
    );
    // the most confidently wrong first, each with its top-3, whose first is the predicted class
    assert.equal(scores.misclassified.length, 10);
    const confidences = scores.misclassified.map((m) => m.top[0]!.probability);
    assert.deepEqual(confidences, [...confidences].sort((a, b) => b - a));
    for (const m of scores.misclassified) {
      assert.notEqual(predicted[m.index], m.target);
      assert.equal(m.top[0]!.class, predicted[m.index]);
      assert.equal(m.top[0]!.label, labels[predicted[m.index]!]);
      assert.equal(m.top.length, 3);
    }
    const worst = Math.max(...Array.from({ length: n }, (_, i) => (predicted[i] === targets[i] ? 0 : Math.max(...softmaxOf(logits[i]!)))));
    assert.ok(Math.abs(confidences[0]! - worst) < 1e-12);
  });

  it('keeps a class without examples free of NaN and labels null without names', () => {
    const scores = scoreLogits([[0, 1, 0]], [1], { labels: null, classes: 3 });
    assert.equal(scores.accuracy, 1);
    assert.deepEqual(scores.perClass.map((c) => [c.examples, c.accuracy, c.label]), [[0, 0, null], [1, 1, null], [0, 0, null]]);
    assert.equal(scores.labels, null);
    assert.doesNotThrow(() => JSON.stringify(scores));
  });
});

describe('evaluateBundle', () => {
  it('gives archbundle eval --json\'s accuracy, confusion and loss on the same bundle and data', async () => {
    const bundle = path.join(dir, 'model.archbundle');
    const run = await runCli(['eval', bundle, '--data-dir', 'data', '--limit', '100', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const cli = JSON.parse(run.stdout) as { count: number; accuracy: number; loss: number; confusion: number[][]; dataset: string };
    const evaluation = await evaluateBundle(bundle, { dataDir: path.join(dir, 'data'), limit: 100 });

    assert.equal(evaluation.dataset, cli.dataset);
    assert.equal(evaluation.examples, cli.count);
    assert.equal(evaluation.accuracy, cli.accuracy);
    assert.deepEqual(evaluation.confusion, cli.confusion);
    assert.ok(Math.abs(evaluation.loss - cli.loss) < 1e-5 * Math.max(1, cli.loss), `loss ${evaluation.loss} vs eval's ${cli.loss}`);
    assert.deepEqual(evaluation.labels, LABELS);
    assert.equal(evaluation.backend, 'cpu');
    assert.ok(evaluation.misclassified.length > 0);
  });

  it('draws each misclassified example from the dataset\'s own pixels', async () => {
    const evaluation = await evaluateBundle(path.join(dir, 'model.archbundle'), { dataDir: path.join(dir, 'data'), limit: 40 });
    for (const m of evaluation.misclassified.slice(0, 5)) {
      assert.match(m.image, /^data:image\/png;base64,/);
      const png = Buffer.from(m.image.slice(m.image.indexOf(',') + 1), 'base64');
      assert.equal((await sharp(png).metadata()).channels, 1);
      const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height, info.channels], [28, 28, 1]);
      assert.deepEqual(new Uint8Array(data), images.subarray(m.index * 784, (m.index + 1) * 784));
    }
  });
});

describe('resizeLinear (the viewer\'s stretch of an uploaded image)', () => {
  /** A smooth pattern with some noise, different per channel. */
  function pattern(width: number, height: number, channels: number): Uint8Array {
    const out = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        for (let c = 0; c < channels; c += 1) {
          const v = 128 + 90 * Math.sin((x * (c + 1) + width) / 7.3) * Math.cos((y + 3 * c) / 5.1) + ((x * 31 + y * 17) % 23) - 11;
          out[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return out;
  }

  const cases: [number, number, number, number, number][] = [
    [112, 112, 1, 28, 28], // shrinking by 4: a box average, then the linear kernel
    [640, 480, 3, 32, 32], // a photo's size: by 20 and by 15
    [300, 200, 1, 28, 28],
    [57, 41, 1, 28, 28], // by less than 2: the linear kernel alone
    [50, 70, 3, 32, 32],
    [20, 20, 1, 28, 28], // enlarging: bilinear
    [29, 27, 3, 32, 32],
    [20, 100, 1, 28, 28], // one axis enlarged, the other shrunk
  ];
  for (const [width, height, channels, toWidth, toHeight] of cases) {
    it(`${width}×${height}×${channels} to ${toWidth}×${toHeight} is within 2 levels of sharp's linear kernel`, async () => {
      const image = pattern(width, height, channels);
      const expected = await sharp(Buffer.from(image), { raw: { width, height, channels: channels as 1 | 3 } })
        .resize(toWidth, toHeight, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
        .toColourspace(channels === 1 ? 'b-w' : 'srgb')
        .raw()
        .toBuffer();
      const got = resizeLinear(image, [height, width, channels], [toHeight, toWidth]);
      assert.equal(got.length, expected.length);
      const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i]!)));
      assert.ok(worst <= 2, `largest difference ${worst} levels`);
    });
  }
});

function softmaxOf(row: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(row));
  const exps = Array.from(row, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
