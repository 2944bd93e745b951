import * as tf from '@tensorflow/tfjs';
import { wasmKernelBackend } from '../tfjs-internals.js';
import { runOriginal } from './fallback.js';
import { WasmOps } from './wasm-ops.js';

/**
 * FusedBatchNorm as y = x * k + (offset - mean * k) with k = scale / sqrt(variance + eps): the
 * per-channel factors are computed on the small statistics, so the activation is read once.
 * Statistics over the last axis (every batch norm archbundle builds) go to `channelAffine`, one
 * XNNPACK pass; statistics that broadcast otherwise take a broadcasting multiply and an add. Both
 * round the same way (a product, then a sum). TF.js's wasm kernel is a slower scalar loop.
 */
export const fusedBatchNormConfig: tf.KernelConfig = {
  kernelName: 'FusedBatchNorm',
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    if (!x || !mean || !variance || [x, mean, variance, offset, scale].some((t) => t && t.dtype !== 'float32')) {
      return runOriginal('FusedBatchNorm', args);
    }
    const { varianceEpsilon } = args.attrs as unknown as tf.FusedBatchNormAttrs;
    const backend = wasmKernelBackend(args.backend);
    const ops = new WasmOps(backend);
    const statistics = [mean, variance, offset, scale].filter((t): t is tf.TensorInfo => t !== undefined);
    const perChannel = perLastAxis(x, statistics);
    // Per-channel statistics are flattened first so that the factors are made rank 1: the wasm
    // FusedDepthwiseConv2D checks the rank its bias was created with, not the rank it is viewed as.
    const channels = x.shape[x.shape.length - 1]!;
    const flat = (t: tf.TensorInfo | undefined) => (t && perChannel ? ops.reshape(t, [channels]) : t);
    const [m, v, o, k] = [mean, variance, offset, scale].map(flat);
    const epsilon = backend.makeOutput([], 'float32', undefined, new Float32Array([varianceEpsilon]));
    const inverse = ops.then(ops.run('Add', { a: v!, b: epsilon }), (i) => ops.run('Rsqrt', { x: i }));
    ops.release(epsilon);
    const factor = k ? ops.then(inverse, (i) => ops.run('Multiply', { a: i, b: k })) : inverse;
    const meanTimesFactor = ops.run('Multiply', { a: m!, b: factor });
    const shift = o
      ? ops.then(meanTimesFactor, (t) => ops.run('Sub', { a: o, b: t }))
      : ops.then(meanTimesFactor, (t) => ops.run('Neg', { x: t }));
    if (perChannel) {
      ops.release(m, v, o, k);
      const y = channelAffine(ops, x, factor, shift);
      ops.release(factor, shift);
      return y;
    }
    const scaled = ops.run('Multiply', { a: x, b: factor });
    ops.release(factor);
    const y = ops.run('Add', { a: scaled, b: shift });
    ops.release(scaled, shift);
    return y;
  },
};

/** True when every tensor in `params` holds one value per channel of `x`'s last axis. */
function perLastAxis(x: tf.TensorInfo, params: tf.TensorInfo[]): boolean {
  const channels = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || !channels || tf.util.sizeFromShape(x.shape) === 0) return false;
  return params.every((p) =>
    p.shape.length >= 1 && p.shape.length <= x.shape.length && p.shape[p.shape.length - 1] === channels &&
    p.shape.slice(0, -1).every((d) => d === 1));
}

/**
 * x * scale + shift per channel of the last axis in one pass (scale and shift made as rank-1 tensors): a 1x1 depthwise convolution with a
 * bias, which XNNPACK runs as its multiply-add-per-channel kernel (vmulcaddc) over rows of
 * channels. Same rounding as a multiply then an add (wasm SIMD has no fused multiply-add).
 */
function channelAffine(ops: WasmOps, x: tf.TensorInfo, scale: tf.TensorInfo, shift: tf.TensorInfo): tf.TensorInfo {
  const channels = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const x4 = ops.reshape(x, [1, 1, rows, channels]);
  const filter = ops.reshape(scale, [1, 1, channels, 1]);
  const bias = ops.reshape(shift, [channels]);
  const y = ops.run('FusedDepthwiseConv2D', { x: x4, filter, bias }, {
    strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC', activation: 'linear',
  } as unknown as tf.NamedAttrMap);
  ops.release(x4, filter, bias);
  return ops.then(y, (t) => ops.reshape(t, x.shape));
}
