/**
 * bench:train — the reference implementation's SimpleNet (channels 16, 1x28x28, batch 128):
 * training (Adam 1e-3, softmax cross-entropy) and inference images/s on archbundle's default
 * backend, beside the PyTorch peer at the same thread count, measured in alternating rounds in the
 * same run (the machine is shared, so only ratios taken close together mean much), and the cpu
 * backend for contrast. The last line printed is one JSON object.
 *
 *   npm run bench:train -- [--rounds 3] [--steps 4] [--cpu-batch 2] [--cpu-steps 1] [--no-cpu]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { runPeer } from './peer.js';
import { createOptimizer, seedRandom, selectBackend, trainStep, type Classifier, compileForInference } from '../src/index.js';
import { instantiate } from '../src/train.js';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
    channels: { type: 'string', default: '16' },
    'cpu-batch': { type: 'string', default: '2' },
    'cpu-steps': { type: 'string', default: '1' },
    'no-cpu': { type: 'boolean', default: false },
  },
});
const rounds = Number(opts.rounds);
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const batch = Number(opts.batch);
const channels = Number(opts.channels);
const resolution: [number, number, number] = [1, 28, 28];
const classes = 10;

function buildModel(): Classifier {
  seedRandom(0);
  return instantiate('SimpleNet', { classes, resolution, channels });
}

/** One training step (archbundle's trainStep: softmax cross-entropy, its Adam at 1e-3) over a fixed random batch. */
function trainer(model: Classifier, n: number): () => void {
  const x = tf.randomNormal([n, resolution[1], resolution[2], resolution[0]], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([n], 0, classes, 'int32', 2) as tf.Tensor1D;
  const optimizer = createOptimizer('Adam', { learningRate: 1e-3 });
  return () => {
    trainStep(model, optimizer, x, labels);
  };
}

/** Median milliseconds per call of `step` over `count` calls, after `warm` unmeasured calls. */
function msPerStep(step: () => void, count: number, warm: number): number {
  for (let i = 0; i < warm; i++) step();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Math.round(v * 1000) / 1000;

const info = await selectBackend();
let threads = 1;
if (info.name === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  threads = wasm.getThreadsCount();
}
console.log(`backend ${info.name} (${info.tfjsName}), threads ${threads}, SimpleNet c=${channels} ${resolution.join('x')} batch ${batch}`);

const model = buildModel();
const runTrainStep = trainer(model, batch);
const xInfer = tf.randomNormal([batch, resolution[1], resolution[2], resolution[0]], 0, 1, 'float32', 3);
// Eval-mode statistics that are not the identity, so folding batch norm is exercised for real.
runTrainStep();
const inference = compileForInference(model.net);
const inferStep = () => tf.tidy(() => inference.predict(xInfer).dataSync());

const peerArgs = ['--channels', String(channels), '--resolution', resolution.join(','), '--batch', String(batch),
  '--steps', String(steps), '--warmup', String(warmup), '--threads', String(threads)];
const ours = { train: [] as number[], infer: [] as number[] };
const peer = { train: [] as number[], infer: [] as number[] };
for (let r = 1; r <= rounds; r++) {
  ours.train.push(msPerStep(runTrainStep, steps, r === 1 ? warmup : 0));
  peer.train.push(runPeer('torch_simplenet.py', ['--mode', 'train', ...peerArgs]).ms_per_step);
  ours.infer.push(msPerStep(inferStep, steps, r === 1 ? warmup : 0));
  peer.infer.push(runPeer('torch_simplenet.py', ['--mode', 'infer', ...peerArgs]).ms_per_step);
  console.log(`round ${r}: train ours ${round1(ours.train.at(-1)!)} ms/step, peer ${peer.train.at(-1)} ms/step; ` +
    `infer ours ${round1(ours.infer.at(-1)!)} ms, peer ${peer.infer.at(-1)} ms`);
}
inference.dispose();
model.dispose();

let cpuImagesPerS: number | null = null;
if (!opts['no-cpu']) {
  const cpuBatch = Number(opts['cpu-batch']);
  await selectBackend('cpu');
  const cpuModel = buildModel();
  const ms = msPerStep(trainer(cpuModel, cpuBatch), Number(opts['cpu-steps']), 0);
  cpuImagesPerS = round1((cpuBatch * 1000) / ms);
  console.log(`cpu backend: ${round1(ms)} ms per training step at batch ${cpuBatch}`);
  cpuModel.dispose();
}

const summary = (o: number[], p: number[]) => {
  const oursIps = (batch * 1000) / median(o);
  const peerIps = (batch * 1000) / median(p);
  return { ours_images_per_s: round1(oursIps), peer_images_per_s: round1(peerIps), ratio: round3(oursIps / peerIps) };
};
console.log(JSON.stringify({
  threads,
  train: summary(ours.train, peer.train),
  infer: summary(ours.infer, peer.infer),
  cpu_backend_train_images_per_s: cpuImagesPerS,
}));
