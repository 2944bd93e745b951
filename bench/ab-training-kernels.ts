/**
 * A/B of archbundle's training kernels inside whole SimpleNet training steps (c=16, batch 128),
 * in one process so that every variant sees the same machine load: steps rotate between
 *   before    TF.js's batch-norm composition (tf.moments, then FusedBatchNorm, differentiated op
 *             by op) and 1x1 filter gradients through the chunked convolutions,
 *   bn        the fused training batch norm (batchNormInTraining) only,
 *   after     the fused batch norm and 1x1 filter gradients as one matrix product.
 * (FusedBatchNorm's one-pass forward kernel runs in all three.) Prints, as JSON, the median wall
 * and CPU ms per step of each, the median ratio of each to `before` within a round, the thread
 * count and the load average at the start and the end.
 *
 *   node --import tsx bench/ab-training-kernels.ts [--rounds 8]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, trainStep } from '../src/index.js';
import { batchNormTrainingPath } from '../src/tfjs/backend/wasm-kernels/batch-norm-training.js';
import { filterGradientChunking } from '../src/tfjs/backend/wasm-kernels/conv2d-backprop-filter.js';
import { simpleNetWorkload } from './simplenet-workload.js';

const VARIANTS = {
  before: { fusedBatchNorm: false, pointwise: false },
  bn: { fusedBatchNorm: true, pointwise: false },
  after: { fusedBatchNorm: true, pointwise: true },
} as const;
type Variant = keyof typeof VARIANTS;

const { values: opts } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } });
const info = await selectBackend();
const { model, x, labels, optimizer } = simpleNetWorkload();
const loadBefore = loadavg()[0]!;
const wall: Record<Variant, number[]> = { before: [], bn: [], after: [] };
const cpu: Record<Variant, number[]> = { before: [], bn: [], after: [] };
for (let round = -1; round < Number(opts.rounds); round++) {
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    batchNormTrainingPath.fused = VARIANTS[variant].fusedBatchNorm;
    filterGradientChunking.pointwiseProduct = VARIANTS[variant].pointwise;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    trainStep(model, optimizer, x, labels);
    const used = process.cpuUsage(c0);
    if (round < 0) continue; // round -1 warms every path up
    wall[variant].push(performance.now() - t0);
    cpu[variant].push((used.user + used.system) / 1000);
  }
}
const middle = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const medians = (t: Record<Variant, number[]>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(middle(v))]));
// On a loaded machine step times drift over minutes; the ratio to the `before` step of the same
// round (seconds apart) is steadier than the ratio of medians. CPU time (all of this process's
// threads) leaves out the time spent waiting for a core, which dominates wall time under load.
const pairedRatios = (t: Record<Variant, number[]>) => Object.fromEntries((['bn', 'after'] as const)
  .map((k) => [k, +middle(t[k].map((v, i) => v / t.before[i]!)).toFixed(3)]));
console.log(JSON.stringify({
  backend: tf.getBackend(), threads: info.threads, load: [+loadBefore.toFixed(2), +loadavg()[0]!.toFixed(2)],
  wall_median_ms: medians(wall), wall_ratio_to_before: pairedRatios(wall),
  cpu_median_ms: medians(cpu), cpu_ratio_to_before: pairedRatios(cpu),
  wall_ms: Object.fromEntries(Object.entries(wall).map(([k, v]) => [k, v.map(Math.round)])),
}));
model.dispose();
