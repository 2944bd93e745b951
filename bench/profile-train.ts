/**
 * Profiles training steps of the bench:train SimpleNet on the default backend: milliseconds per
 * kernel (summed over the steps, kernels composed by archbundle counted under their own name).
 * TF.js also reports each op built from other kernels (custom gradients such as `fusedConv2d__op`,
 * `batchNormInTraining__op`) as one entry spanning its inner kernels; those are listed apart and
 * left out of the kernel total, which would otherwise count their time twice.
 *
 *   node --import tsx bench/profile-train.ts [--steps 2] [--batch 128] [--channels 16] [--baseline]
 *
 * --baseline profiles without the fused training batch norm and the 1x1 filter-gradient product
 * (TF.js's batch-norm composition, chunked convolutions for every filter gradient), for before and after.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, trainStep } from '../src/index.js';
import { batchNormTrainingPath } from '../src/tfjs/backend/wasm-kernels/batch-norm-training.js';
import { filterGradientChunking } from '../src/tfjs/backend/wasm-kernels/conv2d-backprop-filter.js';
import { simpleNetWorkload } from './simplenet-workload.js';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
    channels: { type: 'string', default: '16' },
    baseline: { type: 'boolean', default: false },
  },
});
const steps = Number(opts.steps);
const batch = Number(opts.batch);

const info = await selectBackend();
batchNormTrainingPath.fused = !opts.baseline;
filterGradientChunking.pointwiseProduct = !opts.baseline;
const { model, x, labels, optimizer } = simpleNetWorkload({ batch, channels: Number(opts.channels) });
trainStep(model, optimizer, x, labels); // warm-up: operator caches, Adam slots

const perKernel = new Map<string, { ms: number; calls: number }>();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
for (let i = 0; i < steps; i++) {
  const info = await tf.profile(() => {
    trainStep(model, optimizer, x, labels);
  });
  for (const k of info.kernels) {
    const key = k.name;
    const entry = perKernel.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs);
    entry.calls += 1;
    perKernel.set(key, entry);
  }
}
const total = (performance.now() - t0) / steps;
const cpuUsed = process.cpuUsage(cpu0);
// CPU time of all this process's threads: on a shared machine, wall time also counts waiting for a core.
const cpuPerStep = (cpuUsed.user + cpuUsed.system) / 1000 / steps;
/** An op made of other kernels: TF.js names its scope NAME__op (or leaves it unnamed). */
const isComposite = (name: string) => name.endsWith('__op') || name === 'unnamed scope';
const rows = [...perKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernels = rows.filter(([name]) => !isComposite(name));
const kernelSum = kernels.reduce((s, [, v]) => s + v.ms, 0) / steps;
const line = ([name, v]: [string, { ms: number; calls: number }]) =>
  `${name.padEnd(28)} ${(v.ms / steps).toFixed(1).padStart(8)} ms  ${String(v.calls / steps).padStart(4)} calls`;
console.log(`${opts.baseline ? 'baseline, ' : ''}${tf.getBackend()} (${info.threads} thread${info.threads === 1 ? '' : 's'}, load ${loadavg()[0]!.toFixed(2)}): ` +
  `${total.toFixed(0)} ms per step (profiled; CPU ${cpuPerStep.toFixed(0)} ms), kernels ${kernelSum.toFixed(0)} ms`);
for (const row of kernels.slice(0, 20)) console.log(line(row));
console.log('ops spanning the kernels above:');
for (const row of rows.filter(([name]) => isComposite(name))) console.log(line(row));
model.dispose();
