/**
 * Child process of test/wasm-threads.test.ts: the wasm backend starts once per process, so each
 * thread count gets a process of its own (ARCHBUNDLE_THREADS). Prints one JSON line: the backend's
 * threads and whether its heap is shared, and per case (every registered architecture's schema
 * example, and SimpleNet at the benchmark's size) the sha256 of the weights and optimizer state
 * after a few training steps, run twice; after steps, checkpoint, load and more steps; and of the
 * weights a bundle load put into the heap against the bytes the bundle holds.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { architectures, createOptimizer, currentBackend, readBundle, seedRandom, selectBackend, State, trainStep } from '../../src/index.js';
import { instantiate } from '../../src/train.js';
import type { Classifier, TrainingOptimizer } from '../../src/index.js';

const STEPS = 4;

interface Case {
  name: string;
  className: string;
  args: Record<string, unknown>;
  batch: number;
}

const cases: Case[] = [
  ...architectures.list().map((d) => ({ name: d.name, className: d.name, args: (d.schema.examples as Record<string, unknown>[])[0]!, batch: 16 })),
  // the size bench/train.ts measures: large enough for XNNPACK to split its work between threads
  { name: 'SimpleNet-bench', className: 'SimpleNet', args: { classes: 10, resolution: [1, 28, 28], channels: 16 }, batch: 64 },
];

function fresh(c: Case): { model: Classifier; optimizer: TrainingOptimizer } {
  seedRandom(7);
  return { model: instantiate(c.className, c.args), optimizer: createOptimizer('Adam', { learningRate: 0.01 }) };
}

function batch(c: Case, step: number): [tf.Tensor4D, tf.Tensor1D] {
  const [channels, height, width] = c.args.resolution as [number, number, number];
  const x = tf.randomUniform([c.batch, height, width, channels], 0, 1, 'float32', 100 + step) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: c.batch }, (_, i) => (i * 7 + step) % (c.args.classes as number)), 'int32');
  return [x, y];
}

function train(c: Case, run: { model: Classifier; optimizer: TrainingOptimizer }, from: number, to: number): void {
  for (let step = from; step < to; step++) {
    const [x, y] = batch(c, step);
    trainStep(run.model, run.optimizer, x, y);
    tf.dispose([x, y]);
  }
}

function digest(run: { model: Classifier; optimizer: TrainingOptimizer }): string {
  const hash = createHash('sha256');
  for (const w of run.model.namedWeights()) hash.update(w.name).update(Buffer.from(w.variable.read().dataSync().buffer));
  const state = run.optimizer.getState();
  for (const t of state.tensors) hash.update(t.name).update(Buffer.from(t.tensor.dataSync().buffer));
  tf.dispose(state.tensors.map((t) => t.tensor));
  return hash.digest('hex');
}

/** The weights' bytes as the bundle file holds them, read by the TF.js-free reader. */
async function storedWeights(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await readBundle(new Uint8Array(await readFile(file)), {
    receiver: {
      tensor(group, record) {
        const target = Buffer.alloc(record.byteLength);
        return { target, end: () => void (group === 'weights' && out.set(record.name, target)) };
      },
    },
  });
  return out;
}

function dispose(run: { model: Classifier; optimizer: TrainingOptimizer }): void {
  run.model.dispose();
  run.optimizer.dispose();
}

// two selections at once share one start (a server's first requests can do this)
const [one, other] = await Promise.all([selectBackend('wasm'), selectBackend('wasm')]);
const concurrentAgree = one.threads === other.threads && one.notes.length === 0 && other.notes.length === 0;
const folder = await mkdtemp(path.join(tmpdir(), 'archbundle-threads-'));
const results: Record<string, { first: string; second: string; resumed: string; loadedEqualsStored: boolean }> = {};
try {
  for (const c of cases) {
    const first = fresh(c);
    train(c, first, 0, STEPS);
    const firstDigest = digest(first);
    dispose(first);

    const second = fresh(c);
    train(c, second, 0, STEPS / 2);
    const file = path.join(folder, `${c.name}.archbundle`);
    await State.checkpoint(file, second.model, second.optimizer, undefined, 1);
    train(c, second, STEPS / 2, STEPS);
    const secondDigest = digest(second);
    dispose(second);

    // the load reads each tensor straight into its variable's place in the (shared) wasm heap
    const state = await State.load(file);
    const stored = await storedWeights(file);
    let loadedEqualsStored = state.model.namedWeights().length === stored.size;
    for (const w of state.model.namedWeights()) {
      const bytes = Buffer.from(w.variable.read().dataSync().buffer);
      if (!stored.get(w.name)?.equals(bytes)) loadedEqualsStored = false;
    }
    const resumed = { model: state.model, optimizer: state.optimizer! };
    train(c, resumed, STEPS / 2, STEPS);
    results[c.name] = { first: firstDigest, second: secondDigest, resumed: digest(resumed), loadedEqualsStored };
    dispose(resumed);
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}

const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
const info = currentBackend()!;
process.stdout.write(`${JSON.stringify({ threads: info.threads, notes: info.notes, concurrentAgree, sharedHeap: heap instanceof SharedArrayBuffer, results })}\n`);
