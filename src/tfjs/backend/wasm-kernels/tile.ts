import * as tf from '@tensorflow/tfjs';
import { wasmKernelBackend, type WasmKernelBackend } from '../tfjs-internals.js';
import { runOriginal } from './fallback.js';
import { WasmOps } from './wasm-ops.js';

/**
 * Tile that only repeats axes of size 1 is a broadcast (batch-norm gradients tile per-channel
 * statistics to the activation's shape). When only leading axes repeat, the output is `x` written
 * back to back: one copy of `x`, then doubling memory copies on the heap (one write pass). Other
 * broadcasts are a zero fill plus XNNPACK's broadcasting add. Both avoid TF.js's
 * element-by-element wasm loop.
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
    const wasm = wasmKernelBackend(backend);
    const shape = x.shape.map((d, i) => d * reps[i]!);
    const lastRepeated = reps.reduce((last, r, i) => (r > 1 ? i : last), -1);
    if (x.shape.slice(0, lastRepeated + 1).every((d) => d === 1)) return repeatWhole(wasm, x, shape);
    const ops = new WasmOps(wasm);
    const zeros = ops.run('Fill', {}, { shape, value: 0, dtype: 'float32' });
    const out = ops.run('Add', { a: zeros, b: x });
    ops.release(zeros);
    return out;
  },
};

function repeatWhole(backend: WasmKernelBackend, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const values = backend.typedArrayFromHeap(out) as Float32Array;
  const size = tf.util.sizeFromShape(x.shape);
  values.set(backend.typedArrayFromHeap(x) as Float32Array);
  for (let filled = size; filled < values.length; filled *= 2) {
    values.copyWithin(filled, 0, Math.min(filled, values.length - filled));
  }
  return out;
}
