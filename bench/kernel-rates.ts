/**
 * GFLOP/s of TF.js's tf.matMul and tf.conv2d (float32) on the current backend: the limit a
 * training step's FLOPs are set against. Used in a process of its own per thread count
 * (limit-worker.ts) and inside bench:train's worker between its rounds, so that a step and the
 * limit it is divided by are timed close together on a machine whose load moves.
 */
import * as tf from '@tensorflow/tfjs';
import { median } from './stats.js';

export interface KernelRate {
  shape: number[];
  ms: number;
  gflop_per_s: number;
}

/** "M,K,N" and "B,H,W,Ci,Co,k" as bench/peers/torch_limit.py takes them. */
export interface KernelShapes {
  gemm: string;
  conv: string;
}

export const DEFAULT_KERNEL_SHAPES: KernelShapes = { gemm: '1024,1024,1024', conv: '16,56,56,64,64,3' };

/** Median ms of `op` (its result read back, so the work is done) over `runs` calls after one warm-up. */
function medianMs(op: () => tf.Tensor, runs: number): number {
  const once = () => {
    const start = performance.now();
    const out = op();
    out.dataSync();
    const ms = performance.now() - start;
    out.dispose();
    return ms;
  };
  once();
  return median(Array.from({ length: runs }, once));
}

const rate = (shape: number[], flops: number, ms: number): KernelRate => ({
  shape,
  ms: Math.round(ms * 1000) / 1000,
  gflop_per_s: Math.round((flops / ms / 1e6) * 100) / 100,
});

export function kernelRates(shapes: KernelShapes, runs: number): { gemm: KernelRate; conv: KernelRate } {
  const [m, k, n] = shapes.gemm.split(',').map(Number) as [number, number, number];
  const [b, h, w, ci, co, kk] = shapes.conv.split(',').map(Number) as [number, number, number, number, number, number];
  const a = tf.randomNormal([m, k], 0, 1, 'float32', 1);
  const bm = tf.randomNormal([k, n], 0, 1, 'float32', 2);
  const images = tf.randomNormal([b, h, w, ci], 0, 1, 'float32', 3) as tf.Tensor4D;
  const filters = tf.randomNormal([kk, kk, ci, co], 0, 1, 'float32', 4) as tf.Tensor4D;
  try {
    const gemmMs = medianMs(() => tf.matMul(a, bm), runs);
    const convMs = medianMs(() => tf.conv2d(images, filters, 1, 'same'), runs);
    return {
      gemm: rate([m, k, n], 2 * m * k * n, gemmMs),
      conv: rate([b, h, w, ci, co, kk], 2 * b * h * w * co * ci * kk * kk, convMs),
    };
  } finally {
    tf.dispose([a, bm, images, filters]);
  }
}
