import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import tar from 'tar-stream';
import { tempDir } from './helpers/tempdir.js';
import { uniformGenerator } from '../src/core/random.js';
import { loadDataset, ArchbundleError } from '../src/index.js';
import { DATASETS, DOWNLOAD_MIRRORS, type FileDatasetName } from '../src/node/data/catalog.js';
import { parseCifarBatches } from '../src/node/data/cifar.js';
import { parseIdx } from '../src/node/data/idx.js';
import { permutation } from '../src/tfjs/data/batches.js';
import { makeBatch, prepareData, syntheticDataset } from '../src/train.js';

const SYNTHETIC = { train: 40, test: 20, classes: 4, resolution: [1, 8, 8] as [number, number, number], noise: 0.1 };
const NO_ROOTS = { envDir: null, systemDir: null, cacheDir: null };

function idx(dims: number[], data: number[] | Uint8Array, header?: number[]): Uint8Array {
  const head = header ?? [0, 0, 0x08, dims.length];
  const out = new Uint8Array(head.length + 4 * dims.length + data.length);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  dims.forEach((d, i) => view.setUint32(head.length + 4 * i, d, false));
  out.set(data, head.length + 4 * dims.length);
  return out;
}

/** Points a dataset's mirror at another URL while `run` runs. */
async function withMirror<T>(name: FileDatasetName, baseUrl: string, run: () => Promise<T>): Promise<T> {
  const original = DOWNLOAD_MIRRORS[name].baseUrl;
  DOWNLOAD_MIRRORS[name].baseUrl = baseUrl;
  try {
    return await run();
  } finally {
    DOWNLOAD_MIRRORS[name].baseUrl = original;
  }
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ArchbundleError);
    return `${error.code}: ${error.message}`;
  }
  return 'no error';
}

/** A tiny MNIST-like dataset folder: n images of 28x28 whose pixels are the label * 20. */
function writeIdxDataset(dir: string, n: number, gz: boolean): void {
  mkdirSync(dir, { recursive: true });
  const labels = Array.from({ length: n }, (_, i) => i % 10);
  const pixels = new Uint8Array(n * 784).map((_, i) => labels[Math.floor(i / 784)]! * 20);
  const write = (name: string, bytes: Uint8Array) =>
    writeFileSync(path.join(dir, gz ? `${name}.gz` : name), gz ? gzipSync(bytes) : bytes);
  write('train-images-idx3-ubyte', idx([n, 28, 28], pixels));
  write('train-labels-idx1-ubyte', idx([n], labels));
  write('t10k-images-idx3-ubyte', idx([n, 28, 28], pixels));
  write('t10k-labels-idx1-ubyte', idx([n], labels));
}

describe('IDX parser', () => {
  it('reads plain and gzipped files', () => {
    const bytes = idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const input of [bytes, new Uint8Array(gzipSync(bytes))]) {
      const parsed = parseIdx(input, 'x.idx');
      assert.deepEqual(parsed.dims, [2, 2, 3]);
      assert.deepEqual([...parsed.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }
  });

  it('refuses bad headers and sizes with E_DATA_INVALID naming the file', () => {
    assert.equal(codeOf(() => parseIdx(new Uint8Array([0, 0]), 'a')), 'E_DATA_INVALID: a: not an IDX file: expected at least a 4-byte header, received 2 bytes');
    assert.equal(codeOf(() => parseIdx(idx([1], [0], [1, 0, 8, 1]), 'b')), 'E_DATA_INVALID: b: not an IDX file: expected magic bytes 00 00, received 0x01 0x00');
    assert.equal(codeOf(() => parseIdx(idx([1], [0], [0, 0, 0x0d, 1]), 'c')), 'E_DATA_INVALID: c: not an IDX file: expected data type 0x08 (unsigned byte), received 0x0d');
    assert.equal(codeOf(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), 'd')), 'E_DATA_INVALID: d: not an IDX file: header declares 3 dimensions (16 bytes), file has 8 bytes');
    assert.equal(codeOf(() => parseIdx(idx([2, 2], [1, 2, 3]), 'e')), 'E_DATA_INVALID: e: not an IDX file: dimensions [2, 2] need 4 data bytes, file has 3');
    assert.equal(codeOf(() => parseIdx(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'f')).startsWith('E_DATA_INVALID: f: gzip data is corrupt'), true);
  });
});

describe('CIFAR-10 binary batches', () => {
  it('reads records and converts CHW to NHWC', () => {
    const record = new Uint8Array(3073);
    record[0] = 7;
    record[1] = 10; // red of pixel 0
    record[1 + 1024] = 20; // green of pixel 0
    record[1 + 2048 + 1] = 30; // blue of pixel 1
    const split = parseCifarBatches([{ file: 'b.bin', bytes: record }]);
    assert.equal(split.count, 1);
    assert.equal(split.labels[0], 7);
    assert.deepEqual([...split.images.subarray(0, 6)], [10, 20, 0, 0, 0, 30]);
  });

  it('refuses a truncated batch and bad labels', () => {
    assert.match(codeOf(() => parseCifarBatches([{ file: 'b.bin', bytes: new Uint8Array(3000) }])), /E_DATA_INVALID: b.bin: not a CIFAR-10 binary batch: expected a multiple of 3073 bytes, received 3000/);
    const bad = new Uint8Array(3073);
    bad[0] = 12;
    assert.match(codeOf(() => parseCifarBatches([{ file: 'c.bin', bytes: bad }])), /c.bin: record 0 has label 12, expected 0-9/);
  });
});

describe('dataset search', () => {
  it('finds files in --data-dir, directly or in a dataset sub-folder, gzipped or not', async () => {
    const root = tempDir();
    writeIdxDataset(path.join(root, 'mnist'), 12, false);
    const mnist = await loadDataset('mnist', { dataDir: root, ...NO_ROOTS, synthetic: SYNTHETIC });
    assert.equal(mnist.source, path.join(root, 'mnist'));
    assert.equal(mnist.train.count, 12);
    assert.equal(mnist.train.labels[3], 3);
    assert.equal(mnist.train.images[3 * 784], 60);
    const direct = tempDir();
    writeIdxDataset(direct, 5, true);
    const fashion = await loadDataset('fashion-mnist', { dataDir: direct, ...NO_ROOTS, synthetic: SYNTHETIC });
    assert.equal(fashion.source, direct);
    assert.equal(fashion.test.count, 5);
  });

  it('searches ARCHBUNDLE_DATA after --data-dir, then the system folder, then the cache', async () => {
    const env = tempDir();
    const system = tempDir();
    writeIdxDataset(path.join(env, 'mnist'), 3, false);
    writeIdxDataset(path.join(system, 'mnist'), 4, false);
    const fromEnv = await loadDataset('mnist', { dataDir: tempDir(), envDir: env, systemDir: system, cacheDir: null, synthetic: SYNTHETIC });
    assert.equal(fromEnv.train.count, 3);
    const fromSystem = await loadDataset('mnist', { envDir: null, systemDir: system, cacheDir: null, synthetic: SYNTHETIC });
    assert.equal(fromSystem.train.count, 4);
    const cache = tempDir();
    writeIdxDataset(path.join(cache, 'mnist'), 2, true);
    const fromCache = await loadDataset('mnist', { envDir: null, systemDir: tempDir(), cacheDir: cache, synthetic: SYNTHETIC });
    assert.equal(fromCache.train.count, 2);
  });

  it('E_DATA_NOT_FOUND lists every place it looked', async () => {
    const data = tempDir();
    const error = await loadDataset('cifar10', { dataDir: data, envDir: null, systemDir: '/nonexistent/sys', cacheDir: '/nonexistent/cache', download: false, synthetic: SYNTHETIC }).then(
      () => assert.fail('expected E_DATA_NOT_FOUND'),
      (e: ArchbundleError) => e,
    );
    assert.equal(error.code, 'E_DATA_NOT_FOUND');
    for (const dir of [data, `${data}/cifar10`, `${data}/cifar-10-batches-bin`, '/nonexistent/sys/cifar10', '/nonexistent/cache/cifar10/cifar-10-batches-bin']) {
      assert.ok(error.message.includes(`${dir} (`), `mentions ${dir}: ${error.message}`);
    }
    assert.match(error.message, /download disabled$/);
  });

  it('a failed download is reported in E_DATA_NOT_FOUND and leaves no dataset behind', async () => {
    const cache = tempDir();
    // A real fetch to a local port nothing listens on: fails fast, as the mirror does offline.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await withMirror('fashion-mnist', `http://127.0.0.1:${port}/`, async () => {
      await assert.rejects(
        loadDataset('fashion-mnist', { envDir: null, systemDir: null, cacheDir: cache, download: true, synthetic: SYNTHETIC }),
        (e: ArchbundleError) =>
          e.code === 'E_DATA_NOT_FOUND' &&
          /download into the cache failed: download of http:\/\/127\.0\.0\.1:\d+\/train-images-idx3-ubyte\.gz failed: .*ECONNREFUSED/.test(e.message),
      );
    });
    assert.equal(existsSync(path.join(cache, 'fashion-mnist', 'train-images-idx3-ubyte.gz')), false);
  });

  it('downloads IDX files and a CIFAR-10 archive from a mirror into the cache', async () => {
    const served = new Map<string, Uint8Array>();
    const idxDir = tempDir();
    writeIdxDataset(idxDir, 6, true);
    for (const name of DOWNLOAD_MIRRORS.mnist.files) served.set(`/${name}`, readFileSync(path.join(idxDir, name)));
    const pack = tar.pack();
    const record = (label: number) => Uint8Array.from({ length: 3073 }, (_, i) => (i === 0 ? label : i % 256));
    pack.entry({ name: 'cifar-10-batches-bin/readme.html' }, 'ignored');
    for (const [i, name] of DATASETS.cifar10.files.entries()) pack.entry({ name: `cifar-10-batches-bin/${name}` }, Buffer.from(record(i)));
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    served.set('/cifar-10-binary.tar.gz', gzipSync(Buffer.concat(chunks)));
    const server = createServer((request, response) => {
      const body = served.get(request.url ?? '');
      response.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const cache = tempDir();
    const roots = { envDir: null, systemDir: null, cacheDir: cache, download: true, synthetic: SYNTHETIC };
    try {
      const mnist = await withMirror('mnist', base, () => loadDataset('mnist', roots));
      assert.equal(mnist.source, path.join(cache, 'mnist'));
      assert.equal(mnist.train.count, 6);
      const cifar = await withMirror('cifar10', base, () => loadDataset('cifar10', roots));
      assert.equal(cifar.source, path.join(cache, 'cifar10'));
      assert.deepEqual([...cifar.train.labels], [0, 1, 2, 3, 4]);
      assert.deepEqual([...cifar.test.labels], [5]);
      assert.equal(existsSync(path.join(cache, 'cifar10', 'readme.html')), false, 'only the expected files are kept');
      served.clear();
      await withMirror('fashion-mnist', base, async () => {
        await assert.rejects(
          loadDataset('fashion-mnist', roots),
          (e: ArchbundleError) => e.code === 'E_DATA_NOT_FOUND' && /failed: HTTP 404/.test(e.message),
        );
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const debian = '/usr/share/datasets/fashion-mnist';
  // Needs Debian's dataset-fashion-mnist (CI installs it); without, this fails rather than skips.
  it('reads the Debian Fashion-MNIST package', async () => {
    const data = await loadDataset('fashion-mnist', { envDir: null, cacheDir: null, synthetic: SYNTHETIC });
    assert.equal(data.source, debian);
    assert.equal(data.train.count, 60000);
    assert.equal(data.test.count, 10000);
    const counts = new Array(10).fill(0);
    for (const label of data.test.labels) counts[label] += 1;
    assert.deepEqual(counts, new Array(10).fill(1000));
  });
});

describe('synthetic data and batches', () => {
  it('is deterministic, balanced and in [0, 1]', () => {
    const a = syntheticDataset(SYNTHETIC);
    const b = syntheticDataset(SYNTHETIC);
    assert.deepEqual(a.train.images, b.train.images);
    assert.equal(a.train.count, 40);
    assert.ok(a.train.images.every((v) => v >= 0 && v <= 1));
    assert.deepEqual([...a.train.labels.subarray(0, 5)], [0, 1, 2, 3, 0]);
  });

  it('is learnable: nearest class mean classifies the test set', () => {
    const data = syntheticDataset({ ...SYNTHETIC, train: 200, test: 100, noise: 0.25 });
    const size = 64;
    const means = Array.from({ length: 4 }, () => new Float64Array(size));
    for (let n = 0; n < data.train.count; n += 1) {
      for (let i = 0; i < size; i += 1) means[data.train.labels[n]!]![i]! += data.train.images[n * size + i]! / 50;
    }
    let correct = 0;
    for (let n = 0; n < data.test.count; n += 1) {
      const distance = means.map((m) => m.reduce((s, v, i) => s + (v - data.test.images[n * size + i]!) ** 2, 0));
      if (distance.indexOf(Math.min(...distance)) === data.test.labels[n]) correct += 1;
    }
    assert.ok(correct / data.test.count > 0.9, `accuracy ${correct / data.test.count}`);
  });

  it('splits validation and subsets with a seeded permutation', () => {
    const data = syntheticDataset(SYNTHETIC);
    const a = prepareData(data, { seed: 1, validationSplit: 0.25, trainLimit: 20, testLimit: 7 });
    const b = prepareData(data, { seed: 1, validationSplit: 0.25, trainLimit: 20, testLimit: 7 });
    const c = prepareData(data, { seed: 2, validationSplit: 0.25, trainLimit: 20, testLimit: 7 });
    assert.equal(a.train.count, 15);
    assert.equal(a.validation!.count, 5);
    assert.equal(a.test.count, 7);
    assert.deepEqual(a.train.images, b.train.images);
    assert.notDeepEqual(a.train.images, c.train.images);
  });

  it('permutations are permutations', () => {
    const p = permutation(50, uniformGenerator(3));
    assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  });

  it('batches scale bytes, flip and crop', () => {
    // One 1-channel 2x3 image: [[0, 51, 102], [153, 204, 255]].
    const split = { images: new Uint8Array([0, 51, 102, 153, 204, 255]), labels: new Uint8Array([4]), count: 1 };
    const plain = makeBatch(split, [0], [1, 2, 3]);
    assert.deepEqual([...plain.x].map((v) => Math.round(v * 5)), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...plain.y], [4]);
    const flipped = makeBatch(split, [0], [1, 2, 3], { options: { flip: true, cropPadding: 0 }, random: () => 0.1 });
    assert.deepEqual([...flipped.x].map((v) => Math.round(v * 5)), [2, 1, 0, 5, 4, 3]);
    // random 0.99 for both offsets with padding 1: dx = dy = +1 (shifted up-left, zeros enter bottom-right).
    const cropped = makeBatch(split, [0], [1, 2, 3], { options: { flip: false, cropPadding: 1 }, random: () => 0.99 });
    assert.deepEqual([...cropped.x].map((v) => Math.round(v * 5)), [4, 5, 0, 0, 0, 0]);
  });
});
