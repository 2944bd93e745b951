import * as tf from '@tensorflow/tfjs';
import { wasmKernelBackend } from './tfjs-internals.js';

/**
 * A tensor for a loader to overwrite at once. On wasm its storage is allocated and left
 * unwritten, so the heap pages are first touched by whatever fills them (the bundle reader's
 * reads, off the main thread) rather than by writing zeros here; its contents are undefined.
 * Other backends give zeros.
 */
export function placeholderTensor(shape: number[], dtype: tf.DataType = 'float32'): tf.Tensor {
  if (tf.getBackend() === 'wasm' && dtype !== 'string') {
    return tf.engine().makeTensorFromTensorInfo(wasmKernelBackend(tf.backend()).makeOutput(shape, dtype));
  }
  return tf.fill(shape, 0, dtype);
}
