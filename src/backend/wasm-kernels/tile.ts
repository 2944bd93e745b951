import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runOriginal } from './fallback.js';
import { WasmOps } from './wasm-ops.js';

/**
 * Tile that only repeats axes of size 1 is a broadcast (batch-norm gradients tile per-channel
 * statistics to the activation's shape): a zero fill plus XNNPACK's broadcasting add, instead of
 * TF.js's element-by-element wasm loop, which is ~50x slower.
 */
export const tileConfig: tf.KernelConfig = {
  kernelName: 'Tile',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { inputs, attrs, backend } = args;
    const x = (inputs as { x: tf.TensorInfo }).x;
    const { reps } = attrs as unknown as tf.TileAttrs;
    const broadcast = x.dtype === 'float32' && reps.every((r, i) => r === 1 || x.shape[i] === 1);
    if (!broadcast) return runOriginal('Tile', args);
    const ops = new WasmOps(backend as BackendWasm);
    const shape = x.shape.map((d, i) => d * reps[i]!);
    const zeros = ops.run('Fill', {}, { shape, value: 0, dtype: 'float32' });
    const out = ops.run('Add', { a: zeros, b: x });
    ops.release(zeros);
    return out;
  },
};
