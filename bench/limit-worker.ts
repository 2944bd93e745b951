/**
 * bench:limit's measurement of our side, in a process of its own because the wasm backend's
 * thread count is fixed when it starts: GFLOP/s of tf.matMul and tf.conv2d (float32) on the
 * shapes given, at ARCHBUNDLE_THREADS threads. Prints one JSON line.
 *
 *   ARCHBUNDLE_THREADS=1 node --import tsx bench/limit-worker.ts --gemm 1024,1024,1024 --conv 16,56,56,64,64,3
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/index.js';
import { requireThreads, threadsFromEnv } from './threads-in-use.js';

const { values: opts } = parseArgs({
  options: {
    gemm: { type: 'string', default: '1024,1024,1024' },
    conv: { type: 'string', default: '16,56,56,64,64,3' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(opts.runs);
const [m, k, n] = opts.gemm.split(',').map(Number) as [number, number, number];
const [b, h, w, ci, co, kk] = opts.conv.split(',').map(Number) as [number, number, number, number, number, number];

const info = await selectBackend((process.env.ARCHBUNDLE_BACKEND as 'wasm' | undefined) ?? 'wasm');
const threads = await requireThreads(threadsFromEnv());

/** Median ms of `op` (its result read back, so the work is done) over `runs` calls after one warm-up. */
function medianMs(op: () => tf.Tensor): number {
  const once = () => {
    const start = performance.now();
    const out = op();
    out.dataSync();
    const ms = performance.now() - start;
    out.dispose();
    return ms;
  };
  once();
  const times = Array.from({ length: runs }, once).sort((x, y) => x - y);
  return times[runs >> 1]!;
}

const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
const bm = tf.randomNormal([k, n], 0, 1, 'float32', 2);
const images = tf.randomNormal([b, h, w, ci], 0, 1, 'float32', 3) as tf.Tensor4D;
const filters = tf.randomNormal([kk, kk, ci, co], 0, 1, 'float32', 4) as tf.Tensor4D;
const gemmMs = medianMs(() => tf.matMul(a, bm));
const convMs = medianMs(() => tf.conv2d(images, filters, 1, 'same'));
const gflops = (flops: number, ms: number) => Math.round((flops / ms / 1e6) * 100) / 100;
console.log(JSON.stringify({
  backend: info.tfjsName,
  threads,
  gemm: { shape: [m, k, n], ms: Math.round(gemmMs * 1000) / 1000, gflop_per_s: gflops(2 * m * k * n, gemmMs) },
  conv: { shape: [b, h, w, ci, co, kk], ms: Math.round(convMs * 1000) / 1000, gflop_per_s: gflops(2 * b * h * w * co * ci * kk * kk, convMs) },
}));
