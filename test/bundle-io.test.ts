/**
 * Bundle bytes and sources: determinism, the tar header facts the spec promises, loading from
 * every kind of input, and the TF.js-free validation layer really not loading TF.js.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { ENTRY_ORDER, TENSOR_ALIGNMENT } from '../src/core/index.js';
import { seedRandom, type Classifier, readBundle, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

const run = promisify(execFile);
let folder: string;
let model: Classifier;
let bytes: Uint8Array;

before(async () => {
  await useTestBackend();
  folder = await mkdtemp(join(tmpdir(), 'archbundle-io-'));
  seedRandom(21);
  model = instantiate('MLP', { classes: 4, resolution: [1, 5, 5], hidden: [7, 3], dropout: 0.25 });
  bytes = await new State(model, undefined, undefined, 3, { globalStep: 40, metrics: [{ epoch: 1, loss: 0.5 }] }).toBytes();
});

after(async () => {
  model.dispose();
  await rm(folder, { recursive: true, force: true });
});

async function predictionsOf(state: State): Promise<Float32Array> {
  const x = tf.linspace(0, 1, 2 * 25).reshape([2, 5, 5, 1]);
  const y = state.model.predict(x);
  const data = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return data;
}

describe('bundle bytes', () => {
  it('two saves of the same state are byte-identical, and load → save reproduces the bytes', async () => {
    const loaded = await State.load(bytes);
    assert.deepEqual(Buffer.from(await loaded.toBytes()), Buffer.from(bytes));
    const path1 = join(folder, 'a.bundle');
    const path2 = join(folder, 'b.bundle');
    await loaded.save(path1);
    await loaded.save(path2);
    assert.deepEqual(await readFile(path1), await readFile(path2));
    assert.deepEqual(await readFile(path1), Buffer.from(bytes));
    loaded.model.dispose();
  });

  it('has the fixed tar headers, entry order and 64-byte tensor alignment the spec promises', async () => {
    const names: string[] = [];
    let at = 0;
    for (;;) {
      const h = bytes.subarray(at, at + 512);
      if (h.every((b) => b === 0)) break;
      const text = (o: number, n: number) => Buffer.from(h.subarray(o, o + n)).toString('latin1').replace(/\0.*$/s, '');
      names.push(text(0, 100));
      assert.equal(text(100, 8).trim(), '000644');
      assert.equal(parseInt(text(108, 8), 8), 0);
      assert.equal(parseInt(text(116, 8), 8), 0);
      assert.equal(parseInt(text(136, 12), 8), 0, 'mtime 0');
      assert.equal(text(156, 1), '0');
      assert.equal(text(257, 6), 'ustar');
      const size = parseInt(text(124, 12), 8);
      if (names.at(-1) === 'weights.bin') assert.equal((at + 512) % TENSOR_ALIGNMENT, 0, 'weights.bin starts aligned in the file');
      at += 512 + Math.ceil(size / 512) * 512;
    }
    assert.deepEqual(names, ENTRY_ORDER.filter((n) => names.includes(n)));
    assert.deepEqual(names, ['arch.json', 'weights.json', 'weights.bin', 'training.json', 'manifest.json']);
    assert.equal(bytes.length, at + 1024, 'two zero blocks end the archive, nothing after');
    const contents = await readBundle(bytes);
    for (const r of contents.weights) assert.equal(r.byteOffset % TENSOR_ALIGNMENT, 0);
    assert.deepEqual(contents.training, { epoch: 3, globalStep: 40, metrics: [{ epoch: 1, loss: 0.5 }], random: contents.training.random });
  });
});

describe('bundle sources', () => {
  it('loads the same model from a path, a Buffer, a Node stream in 7-byte chunks and a web ReadableStream', async () => {
    const path = join(folder, 'sources.bundle');
    await writeFile(path, bytes);
    const chunks = (size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.slice(i * size, (i + 1) * size));
    const sources = [
      path,
      Buffer.from(bytes),
      Readable.from(chunks(7)),
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks(1000)) controller.enqueue(c);
          controller.close();
        },
      }),
    ];
    const reference = await predictionsOf(await State.load(bytes));
    for (const source of sources) {
      const state = await State.load(source);
      assert.equal(state.model.className, 'MLP');
      assert.equal(state.epoch, 3);
      assert.equal(state.globalStep, 40);
      assert.deepEqual(await predictionsOf(state), reference);
      state.model.dispose();
    }
  });

  it('reads tensors larger than one read piece from a file (reads in flight) and from a pipe', async () => {
    seedRandom(5);
    const big = instantiate('MLP', { classes: 3, resolution: [1, 32, 32], hidden: [2100] }); // an 8.6 MB kernel
    const path = join(folder, 'big.bundle');
    await new State(big).save(path);
    const fifo = join(folder, 'big.fifo');
    await run('mkfifo', [fifo]);
    const fromPipe = State.load(fifo);
    await writeFile(fifo, await readFile(path));
    for (const loading of [State.load(path), fromPipe]) {
      const state = await loading;
      for (const [i, w] of state.model.namedWeights().entries()) {
        assert.deepEqual(w.variable.read().dataSync(), big.namedWeights()[i]!.variable.read().dataSync(), w.name);
      }
      state.model.dispose();
    }
    big.dispose();
  });

  it('a file damaged inside a large tensor fails (checksum, truncation) with nothing left in flight or allocated', async () => {
    seedRandom(6);
    const big = instantiate('MLP', { classes: 3, resolution: [1, 32, 32], hidden: [2100] });
    const good = await new State(big).toBytes();
    const path = join(folder, 'damaged.bundle');
    const flipped = Uint8Array.from(good);
    flipped[6 << 20]! ^= 1;
    const cases: [Uint8Array, string][] = [[flipped, 'E_CHECKSUM'], [good.subarray(0, 7 << 20), 'E_TRUNCATED']];
    for (const [damaged, code] of cases) {
      await writeFile(path, damaged);
      const before = tf.memory().numTensors;
      await assert.rejects(State.load(path), (e: unknown) => (e as { code?: string }).code === code);
      assert.equal(tf.memory().numTensors, before);
    }
    await writeFile(path, good);
    const state = await State.load(path);
    const x = tf.ones([2, 32, 32, 1]);
    assert.deepEqual(state.model.predict(x).dataSync(), big.predict(x).dataSync());
    tf.dispose([x]);
    state.model.dispose();
    big.dispose();
  });

  it('a load whose tensor memory moves (a TF.js op ran meanwhile) fails clearly, not as a checksum error; a shared heap grows in place and loads right', async (t) => {
    if (tf.getBackend() !== 'wasm') return t.skip('only wasm tensors live in memory that moves');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8;
    let grown = false;
    const growingFile = {
      readAt: async (target: Uint8Array, position: number) => {
        const part = bytes.subarray(position, position + target.length);
        target.set(part);
        if (target.buffer === heap().buffer && !grown) {
          grown = true;
          tf.zeros([heap().length / 4 + (1 << 20)]).dispose(); // more than the heap holds: it grows
        }
        return part.length;
      },
      close: async () => undefined,
    };
    const before = tf.memory().numTensors;
    if (heap().buffer instanceof SharedArrayBuffer) {
      // The threaded build's memory is shared: growing it keeps every view of it valid and in
      // place (nothing is detached or copied), so the bytes land where they belong.
      const reference = await State.load(bytes);
      const state = await State.load(growingFile);
      assert.ok(grown, 'the heap grew during the load');
      for (const [i, w] of state.model.namedWeights().entries()) {
        assert.deepEqual(w.variable.read().dataSync(), reference.model.namedWeights()[i]!.variable.read().dataSync(), w.name);
      }
      state.model.dispose();
      reference.model.dispose();
    } else {
      await assert.rejects(State.load(growingFile), (e: unknown) => (e as { code?: string }).code === 'E_IO' && /TF\.js op run during the load/.test((e as Error).message));
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('a missing file is an E_IO error', async () => {
    await assert.rejects(State.load(join(folder, 'nope.bundle')), (e: unknown) => (e as { code?: string }).code === 'E_IO');
  });
});

describe('atomic save', () => {
  it('replaces the previous bundle and leaves no temp file; a failed save keeps the previous one', async () => {
    const path = join(folder, 'atomic.bundle');
    const state = await State.load(bytes);
    await state.save(path);
    await state.save(path, { fsync: false });
    assert.deepEqual(await readFile(path), Buffer.from(bytes));
    await state.save(path);
    assert.deepEqual(await readdir(folder).then((f) => f.filter((n) => n.includes('atomic'))), ['atomic.bundle']);
    const broken = new State(state.model, undefined, undefined, -1);
    await assert.rejects(broken.save(path), (e: unknown) => (e as { code?: string }).code === 'E_JSON_SCHEMA');
    await assert.rejects(state.save(join(folder, 'missing-folder', 'x.bundle')), (e: unknown) => (e as { code?: string }).code === 'E_IO');
    assert.deepEqual(await readFile(path), Buffer.from(bytes));
    assert.deepEqual(await readdir(folder).then((f) => f.filter((n) => n.includes('atomic'))), ['atomic.bundle']);
    state.model.dispose();
  });
});

describe('the TF.js-free layer', () => {
  it('validates a bundle in a process where loading TF.js would throw', async () => {
    const path = join(folder, 'tf-free.bundle');
    await writeFile(path, bytes);
    const child = async (file: string) => {
      const { stdout } = await run(process.execPath, ['--import', './test/helpers/forbid-tfjs.mjs', '--import', 'tsx', 'test/helpers/validate-child.ts', file]);
      return JSON.parse(stdout.trim().split('\n').at(-1)!);
    };
    assert.deepEqual(await child(path), { ok: true, class: 'MLP', tensors: 6 });
    const flipped = Buffer.from(bytes);
    flipped[3 * 512 + 100] = flipped[3 * 512 + 100]! ^ 0x01; // inside weights.json's data
    await writeFile(path, flipped);
    const result = await child(path);
    assert.equal(result.ok, false);
    assert.match(result.code, /^E_/);
  });
});
