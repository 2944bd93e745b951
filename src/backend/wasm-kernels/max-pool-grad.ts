import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmOps } from './wasm-ops.js';

/**
 * MaxPoolGrad, one window tap at a time: the tap's strided view of the (-inf padded) input is
 * compared with the pooled output; the first tap in row-major window order that equals it takes
 * dy (TF.js's cpu semantics for ties, e.g. all-zero windows after ReLU); each tap's share is
 * zero-stuffed back to input positions and summed. Replaces TF.js's wasm kernel, which is a scalar
 * loop and drops the gradient of some windows (e.g. the last 2x2 window of a 4x4 input).
 */
export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const ops = new WasmOps(backend as BackendWasm);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const hp = Math.max(h + top, (oh - 1) * sh + fh);
    const wp = Math.max(w + left, (ow - 1) * sw + fw);
    const padded = ops.run('PadV2', { x: input }, {
      paddings: [[0, 0], [top, hp - h - top], [left, wp - w - left], [0, 0]], constantValue: -Infinity,
    });
    const zeros = ops.zeros([n, oh, ow, c]);
    let taken: tf.TensorInfo | undefined;
    let sum: tf.TensorInfo | undefined;
    for (let i = 0; i < fh; i++) {
      for (let j = 0; j < fw; j++) {
        const view = ops.stridedSlice(padded, [0, i, j, 0], [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
        const equal = ops.then(view, (v) => ops.run('Equal', { a: v, b: output }));
        let first = equal;
        if (taken) {
          const notTaken = ops.run('LogicalNot', { x: taken });
          first = ops.run('LogicalAnd', { a: equal, b: notTaken });
          const nowTaken = ops.run('LogicalOr', { a: taken, b: equal });
          ops.release(notTaken, taken, equal);
          taken = nowTaken;
        } else {
          taken = ops.reshape(equal, equal.shape);
        }
        const share = ops.run('Select', { condition: first, t: dy, e: zeros });
        ops.release(first);
        const placed = place(ops, share, [i, j], [sh, sw], [hp, wp]);
        ops.release(share);
        if (sum) {
          const next = ops.run('Add', { a: sum, b: placed });
          ops.release(sum, placed);
          sum = next;
        } else {
          sum = placed;
        }
      }
    }
    ops.release(padded, zeros, taken);
    return ops.then(sum!, (s) => ops.slice(s, [0, top, left, 0], [n, h, w, c]));
  },
};

/** Writes each [oh, ow] value to input position (offset + o * stride) of a zero [hp, wp] grid. */
function place(ops: WasmOps, share: tf.TensorInfo, offset: [number, number], stride: [number, number], size: [number, number]): tf.TensorInfo {
  const [n, oh, ow, c] = share.shape as [number, number, number, number];
  let grid = ops.reshape(share, share.shape);
  if (stride[0] > 1 || stride[1] > 1) {
    const split = ops.then(grid, (g) => ops.reshape(g, [n, oh, 1, ow, 1, c]));
    const stuffed = ops.then(split, (s) => ops.pad(s, [[0, 0], [0, 0], [0, stride[0] - 1], [0, 0], [0, stride[1] - 1], [0, 0]]));
    grid = ops.then(stuffed, (s) => ops.reshape(s, [n, oh * stride[0], ow * stride[1], c]));
  }
  const rows = Math.min(grid.shape[1]!, size[0] - offset[0]);
  const cols = Math.min(grid.shape[2]!, size[1] - offset[1]);
  if (rows < grid.shape[1]! || cols < grid.shape[2]!) grid = ops.then(grid, (g) => ops.slice(g, [0, 0, 0, 0], [n, rows, cols, c]));
  return ops.then(grid, (g) => ops.pad(g, [[0, 0], [offset[0], size[0] - offset[0] - rows], [offset[1], size[1] - offset[1] - cols], [0, 0]]));
}
