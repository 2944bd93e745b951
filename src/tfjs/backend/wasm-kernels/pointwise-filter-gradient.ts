import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './conv-geometry.js';
import type { WasmOps } from './wasm-ops.js';

/**
 * dW of a 1x1 convolution that reads no padding, as one matrix product: with x and dy seen as
 * [rows, inC] and [rows, outC] (rows = batch·outH·outW, x strided first when the convolution is),
 * dW = xᵀ·dy. The larger of the two is transposed (one pass over it) and the smaller becomes the
 * right-hand side of the backend's BatchMatMul, which XNNPACK packs as fully-connected weights.
 * The general path instead transposes x into per-chunk images and runs a convolution per chunk.
 * Packing the smaller side is the faster choice, and the other way round is slower than the
 * chunked convolutions (docs/wasm-kernels.md, "1x1 filter gradients as one matrix product", has
 * the figures). Returns undefined for other convolutions.
 */
export function pointwiseFilterGradient(ops: WasmOps, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo | undefined {
  const axes = [g.height, g.width];
  if (axes.some((a) => a.kernel !== 1 || a.padBefore !== 0 || (a.outSize - 1) * a.stride >= a.inSize)) return undefined;
  const [n, , , inC] = x.shape as [number, number, number, number];
  const [, oh, ow, outC] = dy.shape as [number, number, number, number];
  const strided = g.height.stride > 1 || g.width.stride > 1;
  const xs = strided
    ? ops.stridedSlice(x, [0, 0, 0, 0], [n, (oh - 1) * g.height.stride + 1, (ow - 1) * g.width.stride + 1, inC], [1, g.height.stride, g.width.stride, 1])
    : x;
  const rows = n * oh * ow;
  const x2 = ops.reshape(xs, [1, rows, inC]);
  const dy2 = ops.reshape(dy, [1, rows, outC]);
  if (xs !== x) ops.release(xs);
  const product = (a: tf.TensorInfo, b: tf.TensorInfo) => {
    const aT = ops.transpose(a, [0, 2, 1]);
    const out = ops.run('BatchMatMul', { a: aT, b }, { transposeA: false, transposeB: false });
    ops.release(aT);
    return out;
  };
  // The smaller operand is the one packed: packing is redone every call (dy and x are new
  // tensors every step), and the GEMM re-reads the packed side once per row tile.
  const dW = inC <= outC
    ? ops.then(product(dy2, x2), (t) => ops.transpose(t, [0, 2, 1]))
    : product(x2, dy2);
  ops.release(x2, dy2);
  return ops.then(dW, (t) => ops.reshape(t, [1, 1, inC, outC]));
}
