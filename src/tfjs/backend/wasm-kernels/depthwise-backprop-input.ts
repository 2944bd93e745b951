import * as tf from '@tensorflow/tfjs';
import { convGeometry, convolveStuffedDy } from './conv-geometry.js';
import { WasmOps } from './wasm-ops.js';

/**
 * dx of a depthwise convolution: one XNNPACK depthwise convolution of the (zero-stuffed) dy, whose
 * inC*multiplier channels each meet their own flipped filter tap, then a sum over the multiplier.
 */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const ops = new WasmOps(backend);
    const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const [kh, kw, inC, mult] = filter.shape as [number, number, number, number];
    const flipped = ops.then(ops.reverse(filter, [0, 1]), (f) => ops.reshape(f, [kh, kw, inC * mult, 1]));
    return convolveStuffedDy(ops, dy, g, flipped, a.inputShape, (input, f, paddings) => {
      const perChannel = ops.run('DepthwiseConv2dNative', { x: input, filter: f }, {
        strides: [1, 1],
        pad: paddings,
        dilations: [g.height.dilation, g.width.dilation],
        dataFormat: 'NHWC',
      });
      if (mult === 1) return perChannel;
      const [n, h, w] = perChannel.shape as [number, number, number, number];
      const split = ops.then(perChannel, (p) => ops.reshape(p, [n, h, w, inC, mult]));
      return ops.then(split, (s) => ops.sum(s, [4]));
    });
  },
};
