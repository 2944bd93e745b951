import * as tf from '@tensorflow/tfjs';

/**
 * TF.js's own wasm kernels that archbundle replaces with a faster path for common cases; the
 * replacement hands every other case to the original, captured here before it is unregistered.
 */
const originals = new Map<string, tf.KernelFunc>();

export function captureOriginal(kernelName: string): void {
  if (originals.has(kernelName)) return;
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel) originals.set(kernelName, kernel.kernelFunc);
}

export function runOriginal(kernelName: string, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const original = originals.get(kernelName);
  if (!original) throw new Error(`TF.js's wasm "${kernelName}" kernel was not captured before being replaced`);
  return original(args);
}
