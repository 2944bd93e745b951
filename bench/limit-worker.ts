/**
 * bench:limit's measurement of our side, in a process of its own because the wasm backend's
 * thread count is fixed when it starts: GFLOP/s of tf.matMul and tf.conv2d (float32) on the
 * shapes given, at ARCHBUNDLE_THREADS threads. Prints one JSON line.
 *
 *   ARCHBUNDLE_THREADS=1 node --import tsx bench/limit-worker.ts --gemm 1024,1024,1024 --conv 16,56,56,64,64,3
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../src/index.js';
import { DEFAULT_KERNEL_SHAPES, kernelRates } from './kernel-rates.js';
import { requireThreads, threadsFromEnv } from './threads-in-use.js';

const { values: opts } = parseArgs({
  options: {
    gemm: { type: 'string', default: DEFAULT_KERNEL_SHAPES.gemm },
    conv: { type: 'string', default: DEFAULT_KERNEL_SHAPES.conv },
    runs: { type: 'string', default: '5' },
  },
});

const info = await selectBackend((process.env.ARCHBUNDLE_BACKEND as 'wasm' | undefined) ?? 'wasm');
const threads = requireThreads(threadsFromEnv());
console.log(JSON.stringify({ backend: info.tfjsName, threads, ...kernelRates({ gemm: opts.gemm, conv: opts.conv }, Number(opts.runs)) }));
