import * as tf from '@tensorflow/tfjs';
import { wasmKernelBackend, type WasmKernelBackend } from '../tfjs-internals.js';
import { runOriginal } from './fallback.js';

/**
 * Identity, and Cast to the same dtype, share the input's buffer (reference counted, as the cpu
 * backend and the wasm backend's own Reshape do) instead of copying it. The engine clones every
 * tensor a gradient needs through Identity, so on wasm each training step copied all saved
 * activations: about a quarter of a SimpleNet step.
 */
function share(backend: WasmKernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => share(wasmKernelBackend(backend), (inputs as { x: tf.TensorInfo }).x),
};

export const castConfig: tf.KernelConfig = {
  kernelName: 'Cast',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    return dtype === x.dtype ? share(wasmKernelBackend(args.backend), x) : runOriginal('Cast', args);
  },
};
