/**
 * `archbundle predict` through the real command line, on bundles `archbundle train` wrote: every
 * input kind gives exactly the logits the model computes on the same values (checked through
 * the library on the same backend, cpu), labels come from the input contract, and every kind of
 * bad input is refused with its own one-line message.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { float32Bytes, idxBytes, npyBytes } from './helpers/array-files.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { inputContract, selectBackend, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

const FASHION_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const dir = tempDir();
const at = (...parts: string[]) => path.join(dir, ...parts);
/** Trained by `archbundle train` on a small Fashion-MNIST-like set: 1×28×28, ten named classes. */
const FASHION = 'fashion.archbundle';
/** Trained on the synthetic set: 3 channels, 6 high and 5 wide (not square, so that height and width cannot be swapped unseen), 4 unnamed classes. */
const RGB = 'rgb.archbundle';
const RGB_SHAPE = [6, 5, 3] as const;

/** Deterministic 8-bit values. */
function bytePattern(count: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => (i * 53 + seed * 17 + ((i * i) % 7)) % 256);
}

const scaled = (bytes: ArrayLike<number>) => Float32Array.from(bytes, (v) => v * (1 / 255));

function writeIdxDataset(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const write = (name: string, bytes: Uint8Array) => writeFileSync(path.join(folder, name), bytes);
  const n = 60;
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const images = new Uint8Array(n * 784);
  // class c: a bright horizontal band at rows 2c..2c+5, so the classes are learnable
  labels.forEach((c, k) => {
    for (let p = 0; p < 784; p += 1) images[k * 784 + p] = Math.floor(p / 28) >= 2 * c && Math.floor(p / 28) < 2 * c + 6 ? 220 : (p * 7 + k) % 40;
  });
  write('train-images-idx3-ubyte', idxBytes([n, 28, 28], images));
  write('train-labels-idx1-ubyte', idxBytes([n], labels));
  write('t10k-images-idx3-ubyte', idxBytes([n, 28, 28], images));
  write('t10k-labels-idx1-ubyte', idxBytes([n], labels));
}

async function train(config: object, output: string): Promise<void> {
  writeFileSync(at(`${output}.config.json`), JSON.stringify({ ...config, output: `runs/${output}` }));
  const run = await runCli(['train', '--config', `${output}.config.json`, '--data-dir', 'data'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
}

/** The logits the library computes for each example, one forward pass each. */
async function modelLogits(bundle: string, examples: Float32Array[], shape: readonly [number, number, number]): Promise<number[][]> {
  const state = await State.load(at(bundle));
  try {
    return examples.map((x) => tf.tidy(() => Array.from(state.model.predict(tf.tensor4d(x, [1, ...shape])).dataSync())));
  } finally {
    state.optimizer?.dispose();
    state.model.dispose();
  }
}

interface Prediction {
  input: string;
  logits: number[];
  probabilities: number[];
  top: { class: number; label: string; probability: number }[];
}

async function predictJson(args: string[]): Promise<Prediction[]> {
  const run = await runCli(['predict', ...args, '--json'], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  return (JSON.parse(run.stdout) as { predictions: Prediction[] }).predictions;
}

/** Writes 8-bit values as an image file with sharp (PNG lossless, JPEG at quality 95, no chroma subsampling). */
async function writeImage(file: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<void> {
  let image = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace('b-w');
  await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' })).toFile(at(file));
}

before(async () => {
  await selectBackend('cpu'); // the CLI children run on cpu too (runCli sets ARCHBUNDLE_BACKEND)
  writeIdxDataset(at('data', 'fashion-mnist'));
  const common = { optimizer: { class: 'Adam', args: { learningRate: 0.01 } }, seed: 4, checkpoint: { everyEpochs: 1, keepLast: 1, keepBest: null } };
  await Promise.all([
    train({ ...common, model: { class: 'MLP', args: { classes: 10, resolution: [1, 28, 28], hidden: [16] } }, data: { dataset: 'fashion-mnist', batchSize: 20, validationSplit: 0 }, epochs: 3 }, 'fashion'),
    train(
      {
        ...common,
        model: { class: 'MLP', args: { classes: 4, resolution: [3, 6, 5], hidden: [8] } },
        data: { dataset: 'synthetic', batchSize: 20, validationSplit: 0, synthetic: { train: 200, test: 20, classes: 4, resolution: [3, 6, 5], noise: 0.2 } },
        epochs: 2,
      },
      'rgb',
    ),
  ]);
  writeFileSync(at(FASHION), readFileSync(at('runs/fashion/epoch-0003.archbundle')));
  writeFileSync(at(RGB), readFileSync(at('runs/rgb/epoch-0002.archbundle')));
});

describe('train writes the input contract', () => {
  it('inspect --json shows it: the dataset, its label names from the catalog, training pixel scaling, NHWC shape', async () => {
    const run = await runCli(['inspect', FASHION, '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.deepEqual(summary.input, { dataset: 'fashion-mnist', labels: FASHION_LABELS, pixels: { scale: 1 / 255, offset: 0 }, layout: 'NHWC', shape: [28, 28, 1] });
    assert.equal(summary.versions.format, 2);
    const text = await runCli(['inspect', RGB], { cwd: dir });
    assert.match(text.stdout, /^input: {6}dataset synthetic, no labels; pixels 8-bit value × 0\.00392156862745098 \+ 0; NHWC \[6, 5, 3\]$/m);
  });

  it('eval takes the dataset from the contract and says so', async () => {
    const run = await runCli(['eval', FASHION, '--data-dir', 'data', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.equal(result.dataset, 'fashion-mnist');
    assert.equal(result.datasetFrom, 'input.json');
    assert.deepEqual(result.classNames, FASHION_LABELS);
  });
});

describe('archbundle predict: inputs', () => {
  it('a grey PNG: logits are the model\'s own on pixels × 1/255; labels from the contract; top 5 by default', async () => {
    const pixels = bytePattern(784, 1);
    await writeImage('grey.png', pixels, 28, 28, 1);
    const [prediction] = await predictJson([FASHION, 'grey.png']);
    assert.equal(prediction!.input, 'grey.png');
    assert.deepEqual(prediction!.logits, (await modelLogits(FASHION, [scaled(pixels)], [28, 28, 1]))[0]);
    assert.equal(prediction!.top.length, 5);
    for (const entry of prediction!.top) assert.equal(entry.label, FASHION_LABELS[entry.class]);
  });

  it('an RGB PNG for a grey model becomes Pillow\'s luma; a grey PNG for an RGB model, three equal channels', async () => {
    const rgb = bytePattern(784 * 3, 2);
    await writeImage('colour.png', rgb, 28, 28, 3);
    const luma = Uint8Array.from({ length: 784 }, (_, i) => (rgb[3 * i]! * 19595 + rgb[3 * i + 1]! * 38470 + rgb[3 * i + 2]! * 7471 + 0x8000) >> 16);
    const [colour] = await predictJson([FASHION, 'colour.png']);
    assert.deepEqual(colour!.logits, (await modelLogits(FASHION, [scaled(luma)], [28, 28, 1]))[0]);

    const grey = bytePattern(30, 3);
    await writeImage('small-grey.png', grey, 5, 6, 1);
    const [expanded] = await predictJson([RGB, 'small-grey.png']);
    const replicated = Uint8Array.from({ length: 90 }, (_, i) => grey[Math.floor(i / 3)]!);
    assert.deepEqual(expanded!.logits, (await modelLogits(RGB, [scaled(replicated)], RGB_SHAPE))[0]);
  });

  it('an RGB PNG and JPEG (height 6, width 5): the PNG exactly, the JPEG as decoded (and close to what was written)', async () => {
    const pixels = Uint8Array.from({ length: 90 }, (_, i) => {
      const [y, x, c] = [Math.floor(i / 15), Math.floor(i / 3) % 5, i % 3];
      return 20 + y * 30 + x * 15 + c * 25;
    });
    await writeImage('photo.png', pixels, 5, 6, 3);
    await writeImage('photo.jpg', pixels, 5, 6, 3);
    const decoded = new Uint8Array(await sharp(at('photo.jpg')).raw().toBuffer());
    const meanError = decoded.reduce((sum, v, i) => sum + Math.abs(v - pixels[i]!), 0) / pixels.length;
    assert.ok(meanError < 6, `the JPEG decodes close to the written pixels (mean error ${meanError})`);
    const [png, jpeg] = await predictJson([RGB, 'photo.png', 'photo.jpg']);
    const [expectedPng, expectedJpeg] = await modelLogits(RGB, [scaled(pixels), scaled(decoded)], RGB_SHAPE);
    assert.deepEqual(png!.logits, expectedPng);
    assert.deepEqual(jpeg!.logits, expectedJpeg);
    assert.deepEqual(jpeg!.top.map((t) => t.label), jpeg!.top.map((t) => String(t.class)), 'synthetic classes have no names: labels are indices');
  });

  it('a .npy float32 batch [N, H, W, C]: one prediction per example, named file.npy[i], values used as given', async () => {
    const values = Array.from({ length: 3 * 90 }, (_, i) => Math.fround(Math.sin(i) * 0.8 + 0.3));
    writeFileSync(at('batch.npy'), npyBytes({ descr: '<f4', shape: [3, 6, 5, 3], data: float32Bytes(values) }));
    const predictions = await predictJson([RGB, 'batch.npy']);
    assert.deepEqual(predictions.map((p) => p.input), ['batch.npy[0]', 'batch.npy[1]', 'batch.npy[2]']);
    const examples = [0, 1, 2].map((n) => Float32Array.from(values.slice(n * 90, (n + 1) * 90)));
    assert.deepEqual(predictions.map((p) => p.logits), await modelLogits(RGB, examples, RGB_SHAPE));
  });

  it('a .npy uint8 example [C, H, W] with --layout nchw: transposed to NHWC and scaled by 1/255', async () => {
    const chw = bytePattern(90, 4);
    writeFileSync(at('chw.npy'), npyBytes({ descr: '|u1', shape: [3, 6, 5], data: chw, version: 2 }));
    const [prediction] = await predictJson([RGB, 'chw.npy', '--layout', 'nchw']);
    assert.equal(prediction!.input, 'chw.npy');
    const hwc = Uint8Array.from({ length: 90 }, (_, i) => chw[(i % 3) * 30 + Math.floor(i / 3)]!);
    assert.deepEqual(prediction!.logits, (await modelLogits(RGB, [scaled(hwc)], RGB_SHAPE))[0]);
  });

  it('IDX files [N, H, W], plain and gzipped', async () => {
    const images = bytePattern(2 * 784, 5);
    writeFileSync(at('digits-idx3-ubyte'), idxBytes([2, 28, 28], images));
    writeFileSync(at('digits-idx3-ubyte.gz'), gzipSync(idxBytes([2, 28, 28], images)));
    const predictions = await predictJson([FASHION, 'digits-idx3-ubyte', 'digits-idx3-ubyte.gz']);
    assert.deepEqual(predictions.map((p) => p.input), ['digits-idx3-ubyte[0]', 'digits-idx3-ubyte[1]', 'digits-idx3-ubyte.gz[0]', 'digits-idx3-ubyte.gz[1]']);
    const expected = await modelLogits(FASHION, [scaled(images.subarray(0, 784)), scaled(images.subarray(784))], [28, 28, 1]);
    assert.deepEqual(predictions.map((p) => p.logits), [...expected, ...expected]);
  });

  it('--resize stretches an image of another size to the model\'s; without it the image is refused', async () => {
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(at('flat-40x30.png'));
    const refused = await runCli(['predict', FASHION, 'flat-40x30.png'], { cwd: dir });
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'archbundle predict: E_DATA_INVALID: flat-40x30.png: the image is 40×30 (width×height); the model takes 28×28: pass --resize to stretch it to that size\n');
    const [flat] = await predictJson([FASHION, 'flat-40x30.png', '--resize']);
    assert.deepEqual(flat!.logits, (await modelLogits(FASHION, [scaled(new Uint8Array(784).fill(90))], [28, 28, 1]))[0], 'a flat image stays flat');
    // a 2x enlarged image (each pixel a 2x2 block) shrinks back to about the original
    const small = bytePattern(784, 6).map((v) => 40 + (v % 150));
    const big = Uint8Array.from({ length: 56 * 56 }, (_, i) => small[Math.floor(Math.floor(i / 56) / 2) * 28 + Math.floor((i % 56) / 2)]!);
    await writeImage('big.png', big, 56, 56, 1);
    const [shrunk] = await predictJson([FASHION, 'big.png', '--resize']);
    const [original] = await modelLogits(FASHION, [scaled(small)], [28, 28, 1]);
    shrunk!.logits.forEach((v, i) => assert.ok(Math.abs(v - original![i]!) < 0.05 * (1 + Math.abs(original![i]!)), `logit ${i}: ${v} vs ${original![i]}`));
  });
});

describe('archbundle predict: output', () => {
  it('--json is exactly {engine, engineThreads, predictions: [{input, logits, probabilities, top: [{class, label, probability}]}]}', async () => {
    const run = await runCli(['predict', FASHION, 'grey.png', '--json', '--top', '3'], { cwd: dir });
    const out = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(out), ['engine', 'engineThreads', 'predictions']);
    assert.deepEqual([out.engine, out.engineThreads], ['tfjs', null]);
    const [p] = out.predictions;
    assert.deepEqual(Object.keys(p), ['input', 'logits', 'probabilities', 'top']);
    assert.equal(p.logits.length, 10);
    assert.equal(p.probabilities.length, 10);
    assert.ok(Math.abs(p.probabilities.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-12);
    const max = Math.max(...p.logits);
    const sum = p.logits.reduce((a: number, l: number) => a + Math.exp(l - max), 0);
    p.probabilities.forEach((q: number, i: number) => assert.ok(Math.abs(q - Math.exp(p.logits[i] - max) / sum) < 1e-12, 'softmax of the logits'));
    assert.equal(p.top.length, 3);
    for (const entry of p.top) assert.deepEqual(Object.keys(entry), ['class', 'label', 'probability']);
    const ranked = [...p.probabilities.keys()].sort((a, b) => p.probabilities[b] - p.probabilities[a]).slice(0, 3);
    assert.deepEqual(p.top.map((t: { class: number }) => t.class), ranked);
    assert.deepEqual(p.top.map((t: { probability: number }) => t.probability), ranked.map((i) => p.probabilities[i]));
  });

  it('--top is capped at the classes; the text output is one block per example with labels and percentages', async () => {
    const [all] = await predictJson([FASHION, 'grey.png', '--top', '50']);
    assert.equal(all!.top.length, 10);
    const run = await runCli(['predict', FASHION, 'grey.png', 'colour.png', '--top', '2'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const blocks = run.stdout.split('\n\n');
    assert.equal(blocks.length, 2);
    assert.match(blocks[0]!, /^grey\.png\n {2}\d  \S.* +\d+\.\d\d%\n {2}\d  \S.* +\d+\.\d\d%$/);
    assert.match(blocks[1]!, /^colour\.png\n/);
    const [first] = (await predictJson([FASHION, 'grey.png'])).map((p) => p.top[0]!);
    assert.ok(blocks[0]!.split('\n')[1]!.includes(`${first!.class}  ${FASHION_LABELS[first!.class]}`));
    const unnamed = await runCli(['predict', RGB, 'photo.png', '--top', '9'], { cwd: dir });
    assert.equal(unnamed.stdout.trim().split('\n').length, 1 + 4 + 1, 'capped at the 4 classes, then the engine line');
    assert.match(unnamed.stdout, /\nengine: tfjs on cpu \(1 thread\)\n$/);
    assert.match(unnamed.stdout, /^photo\.png\n {2}\d +\d+\.\d\d%\n/, 'no label column when the classes have no names');
  });
});

describe('archbundle predict: bad inputs, each refused with its own message', () => {
  it('one line per bad input, exit 1, nothing predicted', async () => {
    const bad: [string, Uint8Array | string, string][] = [];
    const add = (file: string, bytes: Uint8Array | string, message: string) => bad.push([file, bytes, message]);
    const f4 = (shape: number[]) => npyBytes({ descr: '<f4', shape, data: float32Bytes(new Array(shape.reduce((a, b) => a * b, 1)).fill(0.5)) });
    add('notes.png', 'these are not pixels', 'notes.png: not a PNG image: expected the signature 89 50 4e 47 0d 0a 1a 0a, received 74 68 65 73 65 20 61 72');
    add('notes.jpg', 'these are not pixels', 'notes.jpg: not a JPEG image: expected the signature ff d8 ff, received 74 68 65');
    const png = readFileSync(at('grey.png'));
    add('cut.png', png.subarray(0, Math.floor(png.length / 2)), 'cut.png: cannot decode the PNG image: ');
    add('scan.bmp', 'BM', 'scan.bmp: unsupported input; expected a PNG (.png) or JPEG (.jpg, .jpeg) image, a NumPy array (.npy) or an IDX file (*-ubyte, .idx, optionally .gz)');
    add('magic.npy', Buffer.concat([Buffer.from('NUMPY!'), Buffer.from(f4([28, 28, 1]).subarray(6))]), 'magic.npy: not a usable .npy file: expected the magic \\x93NUMPY, received 4e 55 4d 50 59 21');
    add('double.npy', npyBytes({ descr: '<f8', shape: [28, 28, 1], data: new Uint8Array(784 * 8) }), "double.npy: not a usable .npy file: unsupported dtype '<f8'; expected '<f4' (float32, little-endian) or '|u1' (uint8)");
    add('fortran.npy', npyBytes({ descr: '<f4', shape: [28, 28, 1], data: float32Bytes(new Array(784).fill(0)), fortranOrder: true }), 'fortran.npy: not a usable .npy file: fortran_order is True (column-major data); expected False: save a C-ordered array (numpy.ascontiguousarray)');
    add('flat.npy', f4([28, 28]), 'flat.npy: array of shape (28, 28); expected one example [H, W, C] or a batch [N, H, W, C]');
    add('cut.npy', f4([28, 28, 1]).subarray(0, 1000), 'cut.npy: not a usable .npy file: truncated: shape (28, 28, 1) of float32 needs 3136 data bytes, the file has 872');
    add('small.npy', f4([20, 28, 1]), 'small.npy: holds an example of height 20, width 28, 1 channel (NHWC); the model takes height 28, width 28, 1 channel: arrays are not resized (--resize applies to images)');
    add('rgb.npy', f4([28, 28, 3]), 'rgb.npy: holds an example of height 28, width 28, 3 channels (NHWC); the model takes height 28, width 28, 1 channel: arrays are used as given, so convert the channels first');
    add('vector-idx1-ubyte', idxBytes([2, 28], new Uint8Array(56)), 'vector-idx1-ubyte: IDX images of shape [2, 28]; expected [N, height, width] or, with channels, [N, H, W, C]');
    add('narrow-idx3-ubyte', idxBytes([1, 28, 20], new Uint8Array(560)), 'narrow-idx3-ubyte: holds examples of height 28, width 20, 1 channel (NHWC batch of 1); the model takes height 28, width 28, 1 channel: arrays are not resized (--resize applies to images)');
    add('broken-idx3-ubyte', idxBytes([1, 28, 28], new Uint8Array(700)), 'broken-idx3-ubyte: not an IDX file: dimensions [1, 28, 28] need 784 data bytes, file has 700');
    for (const [file, bytes] of bad) writeFileSync(at(file), bytes);
    const run = await runCli(['predict', FASHION, 'grey.png', ...bad.map(([file]) => file), 'missing.png'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '', 'nothing is predicted when an input is bad');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, bad.length + 1, run.stderr);
    bad.forEach(([, , message], i) => assert.ok(lines[i]!.startsWith(`archbundle predict: E_DATA_INVALID: ${message}`), `${lines[i]}\nexpected: ${message}`));
    assert.equal(lines.at(-1), 'archbundle predict: E_IO: cannot read missing.png: no such file (ENOENT)');
  });

  it('channels an image cannot give, and a channels-first array without --layout nchw', async () => {
    const model = instantiate('MLP', { classes: 3, resolution: [2, 6, 5], hidden: [4] });
    await new State(model, undefined, undefined, 0, {}, inputContract({ resolution: [2, 6, 5], labels: ['a', 'b', 'c'] })).save(at('two.archbundle'));
    model.dispose();
    writeFileSync(at('chw-f4.npy'), npyBytes({ descr: '<f4', shape: [3, 6, 5], data: float32Bytes(new Array(90).fill(0)) }));
    const run = await runCli(['predict', 'two.archbundle', 'small-grey.png'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'archbundle predict: E_DATA_INVALID: small-grey.png: the model takes 2 channels; an image gives 1 (grey) or 3 (RGB): pass a .npy array instead\n');
    const chw = await runCli(['predict', RGB, 'chw-f4.npy'], { cwd: dir });
    assert.equal(chw.code, 1);
    assert.match(chw.stderr, /chw-f4\.npy: holds an example of height 3, width 6, 5 channels \(NHWC\); the model takes height 6, width 5, 3 channels: arrays are used as given, so convert the channels first \(or pass --layout nchw if the array is channels-first\)\n$/);
  });

  it('usage errors exit 2', async () => {
    for (const [args, message] of [
      [[FASHION], /expected a bundle file and at least one input, received 1 argument/],
      [[FASHION, 'grey.png', '--top', '0'], /--top must be a positive integer, received "0"/],
      [[FASHION, 'grey.png', '--layout', 'chw'], /--layout must be nhwc or nchw, received "chw"/],
      [[FASHION, 'grey.png', '--backend', 'tpu'], /--backend must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu, received "tpu"/],
    ] as const) {
      const run = await runCli(['predict', ...args], { cwd: dir });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
    }
  });
});
