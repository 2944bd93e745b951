import * as tf from '@tensorflow/tfjs';
import { convGeometry, requireChannelsLast, type Axis } from './conv-geometry.js';
import { pointwiseFilterGradient } from './pointwise-filter-gradient.js';
import { WasmOps } from './wasm-ops.js';

/**
 * Elements of dy per batch chunk. XNNPACK does not split a convolution's reduction, so one
 * convolution over the whole batch re-reads its packed "filter" (all of dy) from memory for every
 * 4-row output tile; chunks of dy that stay in cache, summed, are faster. Much smaller chunks lose
 * more to each convolution's set-up (packing, indirection buffers) than they gain. The size suits
 * SimpleNet's layers (bench/profile-train.ts shows the effect); tests lower it to exercise
 * chunking on small shapes.
 */
export const filterGradientChunking = {
  dyElements: 400_000,
  /** 1x1 convolutions without padding as one matrix product (pointwise-filter-gradient.ts); off only to time the difference. */
  pointwiseProduct: true,
};

/**
 * dW of a convolution as XNNPACK convolutions: with x seen as [inC, H, W, batch] and dy as a
 * filter [outH, outW, batch, outC], convolving with stride = dilation and dilation = stride
 * sums x*dy over batch and output positions for every filter tap at once, giving [inC, kH, kW, outC].
 * The batch is split into equal chunks laid out one after the other (by the transposes that are
 * needed anyway), so each chunk's convolution reads its operands as views, without copies.
 */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
    requireChannelsLast('Conv2DBackpropFilter', a.dataFormat);
    const ops = new WasmOps(backend);
    const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
    if (filterGradientChunking.pointwiseProduct) {
      const pointwise = pointwiseFilterGradient(ops, x, dy, g);
      if (pointwise) return pointwise;
    }
    const h = filterPads(g.height);
    const w = filterPads(g.width);
    const [n, xh, xw, c] = x.shape as [number, number, number, number];
    // Every tap read only padding: the filter gradient is zero.
    if (h.crop >= xh || w.crop >= xw) return ops.zeros(a.filterShape);
    let xs = x;
    if (h.crop || w.crop) {
      xs = ops.slice(x, [0, 0, 0, 0], [n, xh - h.crop, xw - w.crop, c]);
    }
    const [, sh, sw] = xs.shape as [number, number, number, number];
    const [, oh, ow, outC] = dy.shape as [number, number, number, number];
    const chunk = chunkSize(n, Math.max(1, Math.floor(filterGradientChunking.dyElements / (oh * ow * outC))));
    const chunks = n / chunk;
    const xT = ops.then(ops.reshape(xs, [chunks, chunk, sh, sw, c]), (r) => ops.transpose(r, [0, 4, 2, 3, 1]));
    if (xs !== x) ops.release(xs);
    const dyT = ops.then(ops.reshape(dy, [chunks, chunk, oh, ow, outC]), (r) => ops.transpose(r, [0, 2, 3, 1, 4]));
    const convAttrs = {
      strides: [g.height.dilation, g.width.dilation],
      dilations: [g.height.stride, g.width.stride],
      pad: [[0, 0], [g.height.padBefore, h.after], [g.width.padBefore, w.after], [0, 0]],
      dataFormat: 'NHWC',
    } as unknown as tf.NamedAttrMap;
    const xSize = c * sh * sw * chunk;
    const dySize = oh * ow * chunk * outC;
    let sum: tf.TensorInfo | undefined;
    for (let i = 0; i < chunks; i++) {
      const xi = ops.view(xT, i * xSize, [c, sh, sw, chunk]);
      const dyi = ops.view(dyT, i * dySize, [oh, ow, chunk, outC]);
      const part = ops.run('Conv2D', { x: xi, filter: dyi }, convAttrs);
      ops.releaseView(xi, dyi);
      sum = sum ? ops.then(sum, (s) => { const t = ops.run('Add', { a: s, b: part }); ops.release(part); return t; }) : part;
    }
    ops.release(xT, dyT);
    return ops.then(sum!, (t) => ops.transpose(t, [1, 2, 0, 3]));
  },
};

/** The largest divisor of `n` not above `target` (1 at worst: then one chunk per image). */
function chunkSize(n: number, target: number): number {
  if (n <= target) return n;
  for (let size = Math.max(1, Math.floor(target)); size > 1; size--) if (n % size === 0) return size;
  return 1;
}

/** Rows past the last one the forward pass read are cropped; missing rows are zero-padded. */
function filterPads(a: Axis): { after: number; crop: number } {
  const lastRead = (a.outSize - 1) * a.stride + (a.kernel - 1) * a.dilation - a.padBefore;
  const after = lastRead - (a.inSize - 1);
  return { after: Math.max(0, after), crop: Math.max(0, -after) };
}
