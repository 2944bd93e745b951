import * as tf from '@tensorflow/tfjs';
import type { WasmOps } from './wasm-ops.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** One spatial axis of a forward convolution: out[o] reads in[o*stride + k*dilation - padBefore]. */
export interface Axis {
  inSize: number;
  outSize: number;
  kernel: number;
  stride: number;
  dilation: number;
  padBefore: number;
}

export interface ConvGeometry {
  batch: number;
  inChannels: number;
  outChannels: number;
  height: Axis;
  width: Axis;
}

/** The forward convolution's geometry, as TF.js itself computes it (same rounding and 'same' split). */
export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number] | undefined,
  pad: Pad,
  dimRoundingMode: Rounding,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    height: {
      inSize: info.inHeight, outSize: info.outHeight, kernel: info.filterHeight,
      stride: info.strideHeight, dilation: info.dilationHeight, padBefore: info.padInfo.top,
    },
    width: {
      inSize: info.inWidth, outSize: info.outWidth, kernel: info.filterWidth,
      stride: info.strideWidth, dilation: info.dilationWidth, padBefore: info.padInfo.left,
    },
  };
}

export function requireChannelsLast(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports dataFormat NHWC only, got "${String(dataFormat)}"`);
  }
}

/**
 * The input gradient of a convolution is a stride-1 convolution of the output gradient, with
 * `stride - 1` zeros inserted between its rows and columns, by the spatially flipped filter.
 * Returns that zero-stuffed (and, where the forward pass never read some rows, cropped) `dy` and
 * the explicit padding that makes the stride-1 convolution produce exactly the input's size;
 * undefined when the forward pass read only padding, so the gradient is zero.
 */
function transposedConvInput(
  ops: WasmOps,
  dy: tf.TensorInfo,
  g: ConvGeometry,
): { input: tf.TensorInfo; paddings: tf.backend_util.ExplicitPadding } | undefined {
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const sh = g.height.stride;
  const sw = g.width.stride;
  let input = dy;
  let owned = false;
  if (sh > 1 || sw > 1) {
    const split = ops.reshape(dy, [n, oh, 1, ow, 1, c]);
    const padded = ops.pad(split, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    ops.release(split);
    input = ops.then(padded, (p) => ops.reshape(p, [n, oh * sh, ow * sw, c]));
    owned = true;
  }
  const h = stuffedPads(g.height, input.shape[1]!);
  const w = stuffedPads(g.width, input.shape[2]!);
  if (h.cropBefore + h.cropAfter >= input.shape[1]! || w.cropBefore + w.cropAfter >= input.shape[2]!) {
    // Every output position read only padding: the input gradient is zero.
    if (owned) ops.release(input);
    return undefined;
  }
  if (h.cropBefore || h.cropAfter || w.cropBefore || w.cropAfter) {
    const size = [n, input.shape[1]! - h.cropBefore - h.cropAfter, input.shape[2]! - w.cropBefore - w.cropAfter, c];
    const cropped = ops.slice(input, [0, h.cropBefore, w.cropBefore, 0], size);
    if (owned) ops.release(input);
    input = cropped;
    owned = true;
  }
  if (!owned) input = ops.reshape(dy, dy.shape); // a new reference the caller may release
  return { input, paddings: [[0, 0], [h.before, h.after], [w.before, w.after], [0, 0]] };
}

/**
 * A convolution's input gradient: `convolve` (stride 1 with the given padding) of the zero-stuffed
 * `dy` by `flippedFilter`, or zeros of `inputShape` when the forward pass read only padding.
 * Releases the filter and the stuffed `dy`.
 */
export function convolveStuffedDy(
  ops: WasmOps,
  dy: tf.TensorInfo,
  g: ConvGeometry,
  flippedFilter: tf.TensorInfo,
  inputShape: number[],
  convolve: (input: tf.TensorInfo, filter: tf.TensorInfo, paddings: tf.backend_util.ExplicitPadding) => tf.TensorInfo,
): tf.TensorInfo {
  const stuffed = transposedConvInput(ops, dy, g);
  if (!stuffed) {
    ops.release(flippedFilter);
    return ops.zeros(inputShape);
  }
  const dx = convolve(stuffed.input, flippedFilter, stuffed.paddings);
  ops.release(flippedFilter, stuffed.input);
  return dx;
}

function stuffedPads(a: Axis, length: number) {
  const span = (a.kernel - 1) * a.dilation;
  const before = span - a.padBefore;
  const after = a.inSize + span - length - before;
  return {
    before: Math.max(0, before),
    after: Math.max(0, after),
    cropBefore: Math.max(0, -before),
    cropAfter: Math.max(0, -after),
  };
}
