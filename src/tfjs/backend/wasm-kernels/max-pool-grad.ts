import * as tf from '@tensorflow/tfjs';
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
    const ops = new WasmOps(backend);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const { bottom, right } = info.padInfo;
    if (fh === sh && fw === sw && top + bottom + left + right === 0) {
      return tiledWindowsGrad(ops, dy, input, output, [fh, fw]);
    }
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
    if (top === 0 && left === 0 && hp === h && wp === w) return sum!;
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

/**
 * Non-overlapping windows without padding (2x2 pools, global pools): every window is a
 * [fh, fw] block, so the input is viewed as [n, oh, fh, ow, fw, c] and compared with the pooled
 * output by broadcasting. Among the positions equal to the maximum, each scores fh*fw minus its
 * index in the window; a max pool of the scores finds the first one, which takes dy.
 * (x - max is 0 exactly where x equals the maximum, for finite inputs.)
 */
function tiledWindowsGrad(
  ops: WasmOps, dy: tf.TensorInfo, input: tf.TensorInfo, output: tf.TensorInfo, [fh, fw]: [number, number],
): tf.TensorInfo {
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const [, oh, ow] = output.shape as [number, number, number, number];
  const covered = oh * fh !== h || ow * fw !== w ? ops.slice(input, [0, 0, 0, 0], [n, oh * fh, ow * fw, c]) : input;
  const x6 = ops.reshape(covered, [n, oh, fh, ow, fw, c]);
  if (covered !== input) ops.release(covered);
  const y6 = ops.reshape(output, [n, oh, 1, ow, 1, c]);
  const zeros = ops.zeros([n, oh, fh, ow, fw, c]);
  // TF.js's wasm Equal is a slow scalar loop when it broadcasts; Sub broadcasts fast.
  const equalTo = (a: tf.TensorInfo, b: tf.TensorInfo) => {
    const difference = ops.run('Sub', { a, b });
    const equal = ops.run('Equal', { a: difference, b: zeros });
    ops.release(difference);
    return ops.then(equal, (e) => ops.run('Cast', { x: e }, { dtype: 'float32' }));
  };
  const isMax = equalTo(x6, y6);
  ops.release(x6, y6);
  const order = Float32Array.from({ length: fh * fw }, (_, k) => fh * fw - k);
  const rank = ops.backend.makeOutput([1, 1, fh, 1, fw, 1], 'float32', undefined, order);
  const score = ops.run('Multiply', { a: isMax, b: rank });
  ops.release(isMax, rank);
  const score4 = ops.reshape(score, [n, oh * fh, ow * fw, c]);
  const best = ops.run('MaxPool', { x: score4 }, { filterSize: [fh, fw], strides: [fh, fw], pad: 'valid' });
  ops.release(score4);
  const best6 = ops.then(best, (b) => ops.reshape(b, [n, oh, 1, ow, 1, c]));
  const first = equalTo(score, best6);
  ops.release(score, best6, zeros);
  const dy6 = ops.reshape(dy, [n, oh, 1, ow, 1, c]);
  const dx6 = ops.run('Multiply', { a: first, b: dy6 });
  ops.release(first, dy6);
  const dx = ops.then(dx6, (d) => ops.reshape(d, [n, oh * fh, ow * fw, c]));
  if (oh * fh === h && ow * fw === w) return dx;
  return ops.then(dx, (d) => ops.pad(d, [[0, 0], [0, h - oh * fh], [0, w - ow * fw], [0, 0]]));
}
