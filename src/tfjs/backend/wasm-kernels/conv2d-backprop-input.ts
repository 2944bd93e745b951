import * as tf from '@tensorflow/tfjs';
import { convGeometry, convolveStuffedDy, requireChannelsLast } from './conv-geometry.js';
import { WasmOps } from './wasm-ops.js';

/**
 * dx of a convolution, as one XNNPACK convolution of the (zero-stuffed) dy with the flipped,
 * in/out-swapped filter. Replaces the wasm backend's much slower direct loop.
 */
export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };
    requireChannelsLast('Conv2DBackpropInput', a.dataFormat);
    const ops = new WasmOps(backend);
    const g = convGeometry(a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
    const flipped = ops.then(ops.reverse(filter, [0, 1]), (f) => ops.transpose(f, [0, 1, 3, 2]));
    return convolveStuffedDy(ops, dy, g, flipped, a.inputShape, (input, f, paddings) =>
      ops.run('Conv2D', { x: input, filter: f }, {
        strides: [1, 1],
        pad: paddings,
        dataFormat: 'NHWC',
        dilations: [g.height.dilation, g.width.dilation],
      }),
    );
  },
};
