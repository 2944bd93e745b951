import * as tf from '@tensorflow/tfjs';
import { convGeometry } from './conv-geometry.js';
import { WasmOps } from './wasm-ops.js';

/**
 * dW of a depthwise convolution, one filter tap at a time: the strided window of x that the tap
 * saw, times dy (broadcast over the multiplier), summed over batch and positions. Each tap is a
 * few vectorised wasm kernels; depthwise filters have few taps.
 */
export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const ops = new WasmOps(backend);
    const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const [kh, kw, inC, mult] = a.filterShape;
    const { height: H, width: W } = g;
    const n = g.batch;
    const spanH = (H.outSize - 1) * H.stride + (kh - 1) * H.dilation + 1;
    const spanW = (W.outSize - 1) * W.stride + (kw - 1) * W.dilation + 1;
    const padded = ops.pad(x, [
      [0, 0],
      [H.padBefore, Math.max(0, spanH - H.padBefore - H.inSize)],
      [W.padBefore, Math.max(0, spanW - W.padBefore - W.inSize)],
      [0, 0],
    ]);
    const dy5 = ops.reshape(dy, [n, H.outSize, W.outSize, inC, mult]);
    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const top = i * H.dilation;
        const left = j * W.dilation;
        const window = ops.stridedSlice(
          padded,
          [0, top, left, 0],
          [n, top + (H.outSize - 1) * H.stride + 1, left + (W.outSize - 1) * W.stride + 1, inC],
          [1, H.stride, W.stride, 1],
        );
        const window5 = ops.then(window, (t) => ops.reshape(t, [n, H.outSize, W.outSize, inC, 1]));
        const product = ops.run('Multiply', { a: window5, b: dy5 });
        ops.release(window5);
        taps.push(ops.then(product, (p) => ops.sum(p, [0, 1, 2])));
      }
    }
    ops.release(padded, dy5);
    const stacked = ops.run('Pack', taps, { axis: 0 });
    ops.release(...taps);
    return ops.then(stacked, (s) => ops.reshape(s, [kh, kw, inC, mult]));
  },
};
