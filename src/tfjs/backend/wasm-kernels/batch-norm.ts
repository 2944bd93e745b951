import * as tf from '@tensorflow/tfjs';
import { wasmKernelBackend } from '../tfjs-internals.js';
import { runOriginal } from './fallback.js';
import { WasmOps } from './wasm-ops.js';

/**
 * FusedBatchNorm as y = x * k + (offset - mean * k) with k = scale / sqrt(variance + eps): the
 * per-channel factors are computed on the small statistics, so the activation is read once by a
 * broadcasting multiply and once by an add (TF.js's wasm kernel is a slower scalar loop).
 */
export const fusedBatchNormConfig: tf.KernelConfig = {
  kernelName: 'FusedBatchNorm',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    if (!x || !mean || !variance || [x, mean, variance, offset, scale].some((t) => t && t.dtype !== 'float32')) {
      return runOriginal('FusedBatchNorm', args);
    }
    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const backend = wasmKernelBackend(args.backend);
    const ops = new WasmOps(backend);
    const epsilon = backend.makeOutput([], 'float32', undefined, new Float32Array([varianceEpsilon]));
    const inverse = ops.then(ops.run('Add', { a: variance, b: epsilon }), (v) => ops.run('Rsqrt', { x: v }));
    ops.release(epsilon);
    const factor = scale ? ops.then(inverse, (i) => ops.run('Multiply', { a: i, b: scale })) : inverse;
    const meanTimesFactor = ops.run('Multiply', { a: mean, b: factor });
    const shift = offset
      ? ops.then(meanTimesFactor, (m) => ops.run('Sub', { a: offset, b: m }))
      : ops.then(meanTimesFactor, (m) => ops.run('Neg', { x: m }));
    const scaled = ops.run('Multiply', { a: x, b: factor });
    ops.release(factor);
    const y = ops.run('Add', { a: scaled, b: shift });
    ops.release(scaled, shift);
    return y;
  },
};
