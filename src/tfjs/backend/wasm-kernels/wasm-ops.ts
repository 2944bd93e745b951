import * as tf from '@tensorflow/tfjs';
import { releaseWasmView, wasmKernelBackend, type WasmKernelBackend } from '../tfjs-internals.js';

/**
 * Thin calls into the wasm backend's own kernels (XNNPACK convolution, transposes, pads, slices)
 * on raw TensorInfos, for composing new kernels. Each result is a fresh TensorInfo owned by the
 * caller, who releases it with `release` unless it is returned as the kernel's output.
 */
export class WasmOps {
  readonly backend: WasmKernelBackend;

  /** `backend` is the wasm backend a kernel function was handed. */
  constructor(backend: object) {
    this.backend = wasmKernelBackend(backend);
  }

  run(kernelName: string, inputs: tf.NamedTensorInfoMap | tf.TensorInfo[], attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm backend has no "${kernelName}" kernel`);
    const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, attrs, backend: this.backend });
    return Array.isArray(out) ? out[0]! : out;
  }

  release(...infos: (tf.TensorInfo | undefined)[]): void {
    for (const info of infos) if (info) this.backend.disposeData(info.dataId);
  }

  /**
   * A tensor over `shape` elements of `x`'s memory from element `offset` on, without a copy (the
   * wasm Slice kernel copies the whole input on every call). Valid only while `x` lives; release
   * it with `releaseView`, never `release`, which would free memory the view does not own.
   */
  view(x: tf.TensorInfo, offset: number, shape: number[]): tf.TensorInfo {
    const size = tf.util.sizeFromShape(shape);
    if (x.dtype !== 'float32' || offset < 0 || offset + size > tf.util.sizeFromShape(x.shape)) {
      throw new Error(`view of ${size} elements at ${offset} does not fit a ${x.dtype} tensor of shape [${x.shape}]`);
    }
    const base = this.backend.getMemoryOffset(x.dataId) as number;
    return this.backend.makeOutput(shape, 'float32', base + offset * 4);
  }

  releaseView(...views: tf.TensorInfo[]): void {
    for (const v of views) releaseWasmView(this.backend, v.dataId);
  }

  zeros(shape: number[]): tf.TensorInfo {
    return this.run('Fill', [], { shape, value: 0, dtype: 'float32' });
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reverse(x: tf.TensorInfo, dims: number[]): tf.TensorInfo {
    return this.run('Reverse', { x }, { dims });
  }

  pad(x: tf.TensorInfo, paddings: [number, number][]): tf.TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  stridedSlice(x: tf.TensorInfo, begin: number[], end: number[], strides: number[]): tf.TensorInfo {
    return this.run('StridedSlice', { x }, {
      begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });
  }

  sum(x: tf.TensorInfo, axis: number[]): tf.TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  /** Runs `step` on `x` and releases `x` (for chains of intermediates). */
  then(x: tf.TensorInfo, step: (x: tf.TensorInfo) => tf.TensorInfo): tf.TensorInfo {
    const y = step(x);
    this.release(x);
    return y;
  }
}
