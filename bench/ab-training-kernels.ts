/**
 * A/B of the fused training batch norm inside whole SimpleNet training steps (c=16, batch 128):
 * steps alternate between `batchNormInTraining` and TF.js's composition (tf.moments, then
 * FusedBatchNorm, differentiated op by op) in the same process, so both see the same machine
 * load. Prints the median ms per step of each, the thread count and the load average, as JSON.
 *
 *   node --import tsx bench/ab-batch-norm.ts [--rounds 8]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, seedRandom, selectBackend, trainStep } from '../src/index.js';
import { batchNormTrainingPath } from '../src/tfjs/backend/wasm-kernels/batch-norm-training.js';
import { instantiate } from '../src/train.js';

const { values: opts } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } });
const info = await selectBackend();
seedRandom(0);
const model = instantiate('SimpleNet', { classes: 10, resolution: [1, 28, 28], channels: 16 });
const x = tf.randomNormal([128, 28, 28, 1], 0, 1, 'float32', 1);
const labels = tf.randomUniform([128], 0, 10, 'int32', 2) as tf.Tensor1D;
const optimizer = createOptimizer('Adam', { learningRate: 1e-3 });
const times: Record<'fused' | 'tfjs', number[]> = { fused: [], tfjs: [] };
for (let round = -1; round < Number(opts.rounds); round++) {
  for (const mode of ['fused', 'tfjs'] as const) {
    batchNormTrainingPath.fused = mode === 'fused';
    const t0 = performance.now();
    trainStep(model, optimizer, x, labels);
    if (round >= 0) times[mode].push(performance.now() - t0); // round -1 warms both paths up
  }
}
const median = (v: number[]) => Math.round([...v].sort((a, b) => a - b)[v.length >> 1]!);
console.log(JSON.stringify({
  backend: tf.getBackend(), threads: info.threads, load: loadavg().map((l) => +l.toFixed(2)),
  fused_ms: median(times.fused), tfjs_ms: median(times.tfjs),
  fused_all: times.fused.map(Math.round), tfjs_all: times.tfjs.map(Math.round),
}));
model.dispose();
