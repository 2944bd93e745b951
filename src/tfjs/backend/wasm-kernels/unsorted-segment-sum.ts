import * as tf from '@tensorflow/tfjs';
import { wasmKernelBackend } from '../tfjs-internals.js';
import { WasmOps } from './wasm-ops.js';

/**
 * UnsortedSegmentSum (the gradient of Gather, e.g. for embeddings) as the wasm backend's ScatterNd,
 * which adds rows that share an index. Ids outside [0, numSegments) are dropped, as in TF.js's cpu
 * backend: they are sent to one extra row that is sliced off.
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const wasm = wasmKernelBackend(backend);
    const ops = new WasmOps(wasm);
    const count = tf.util.sizeFromShape(segmentIds.shape);
    const rest = x.shape.slice(segmentIds.shape.length);
    const ids = wasm.readSync(segmentIds.dataId) as ArrayLike<number>;
    const rows = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      rows[i] = id >= 0 && id < numSegments ? id : numSegments;
    }
    const indices = wasm.makeOutput([count, 1], 'int32', undefined, rows);
    const updates = ops.reshape(x, [count, ...rest]);
    const scattered = ops.run('ScatterNd', { indices, updates }, { shape: [numSegments + 1, ...rest] });
    ops.release(indices, updates);
    return ops.then(scattered, (s) => ops.slice(s, s.shape.map(() => 0), [numSegments, ...rest]));
  },
};
