/**
 * Resuming is exact: training 2k steps equals k steps, a checkpoint to disk, a load in which
 * every object is rebuilt from the bundle, and k more steps, bit for bit. The run uses dropout
 * and a shuffled data order, both drawn from the seeded random stream the bundle saves.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { uniformGenerator } from '../src/core/random.js';
import { seedRandom, type Classifier, State, createOptimizer, createScheduler, trainStep, type TrainingOptimizer, type TrainingScheduler } from '../src/index.js';
import { instantiate } from '../src/train.js';

const EXAMPLES = 32;
const BATCH = 8;
const EPOCHS = 4; // 4 steps each: k = 8 steps, 2k = 16
let folder: string;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

before(async () => {
  await useTestBackend();
  folder = await mkdtemp(join(tmpdir(), 'archbundle-resume-'));
  x = tf.randomUniform([EXAMPLES, 6, 6, 1], 0, 1, 'float32', 17) as tf.Tensor4D;
  y = tf.tensor1d(Array.from({ length: EXAMPLES }, (_, i) => (i * 7) % 5), 'int32');
});
after(async () => {
  tf.dispose([x, y]);
  await rm(folder, { recursive: true, force: true });
});

interface Run {
  model: Classifier;
  optimizer: TrainingOptimizer;
  scheduler: TrainingScheduler;
}

function fresh(): Run {
  seedRandom(1234);
  const model = instantiate('MLP', { classes: 5, resolution: [1, 6, 6], hidden: [16, 8], dropout: 0.3 });
  const optimizer = createOptimizer('Adam', { learningRate: 0.01, weightDecay: 0.001 });
  const scheduler = createScheduler('StepLR', { stepSize: 1, gamma: 0.5 }, optimizer);
  return { model, optimizer, scheduler };
}

/** One epoch: a shuffle drawn from the random stream, then batches; the scheduler steps at the end. */
function epoch(run: Run): void {
  const random = uniformGenerator();
  const order = Array.from({ length: EXAMPLES }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let start = 0; start < EXAMPLES; start += BATCH) {
    const index = tf.tensor1d(order.slice(start, start + BATCH), 'int32');
    const [bx, by] = [tf.gather(x, index), tf.gather(y, index)];
    trainStep(run.model, run.optimizer, bx, by as tf.Tensor1D);
    tf.dispose([index, bx, by]);
  }
  run.scheduler.step();
}

function snapshot(run: Run): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const w of run.model.namedWeights()) out.set(w.name, Buffer.from(w.variable.read().dataSync().buffer.slice(0)));
  const state = run.optimizer.getState();
  for (const t of state.tensors) out.set(`optimizer:${t.name}`, Buffer.from(t.tensor.dataSync().buffer.slice(0)));
  tf.dispose(state.tensors.map((t) => t.tensor));
  out.set('optimizer:step', Buffer.from(String(state.step)));
  out.set('lr', Buffer.from(String(run.optimizer.learningRate)));
  return out;
}

function dispose(run: Run): void {
  run.model.dispose();
  run.optimizer.dispose();
}

it(`training ${EPOCHS} epochs equals ${EPOCHS / 2} + checkpoint + load + ${EPOCHS / 2}, bit for bit`, async () => {
  const straight = fresh();
  for (let e = 0; e < EPOCHS; e++) epoch(straight);
  const expected = snapshot(straight);
  dispose(straight);

  const first = fresh();
  for (let e = 0; e < EPOCHS / 2; e++) epoch(first);
  const path = join(folder, 'half.bundle');
  await State.checkpoint(path, first.model, first.optimizer, first.scheduler, EPOCHS / 2, { globalStep: (EPOCHS / 2) * (EXAMPLES / BATCH) });
  dispose(first);
  seedRandom(999); // whatever happens in between, the bundle's random stream is what counts

  const state = await State.load(path);
  assert.equal(state.epoch, EPOCHS / 2);
  const resumed: Run = { model: state.model, optimizer: state.optimizer!, scheduler: state.scheduler! };
  for (let e = state.epoch; e < EPOCHS; e++) epoch(resumed);
  const actual = snapshot(resumed);
  dispose(resumed);

  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [name, bytes] of expected) assert.ok(actual.get(name)!.equals(bytes), `${name} differs after resuming`);
});
