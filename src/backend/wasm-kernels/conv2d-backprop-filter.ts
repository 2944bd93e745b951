import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convGeometry, requireChannelsLast, type Axis } from './conv-geometry.js';
import { WasmOps } from './wasm-ops.js';

/**
 * dW of a convolution as one XNNPACK convolution: with x seen as [inC, H, W, batch] and dy as a
 * filter [outH, outW, batch, outC], convolving with stride = dilation and dilation = stride
 * sums x*dy over batch and output positions for every filter tap at once, giving [inC, kH, kW, outC].
 */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
    requireChannelsLast('Conv2DBackpropFilter', a.dataFormat);
    const ops = new WasmOps(backend as BackendWasm);
    const g = convGeometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false);
    const h = filterPads(g.height);
    const w = filterPads(g.width);
    const [n, xh, xw, c] = x.shape as [number, number, number, number];
    // Every tap read only padding: the filter gradient is zero.
    if (h.crop >= xh || w.crop >= xw) return ops.zeros(a.filterShape);
    let xs = x;
    if (h.crop || w.crop) {
      xs = ops.slice(x, [0, 0, 0, 0], [n, xh - h.crop, xw - w.crop, c]);
    }
    const xT = ops.transpose(xs, [3, 1, 2, 0]);
    if (xs !== x) ops.release(xs);
    const dyT = ops.transpose(dy, [1, 2, 0, 3]);
    const dwT = ops.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [g.height.dilation, g.width.dilation],
      dilations: [g.height.stride, g.width.stride],
      pad: [[0, 0], [g.height.padBefore, h.after], [g.width.padBefore, w.after], [0, 0]],
      dataFormat: 'NHWC',
    });
    ops.release(xT, dyT);
    return ops.then(dwT, (t) => ops.transpose(t, [1, 2, 0, 3]));
  },
};

/** Rows past the last one the forward pass read are cropped; missing rows are zero-padded. */
function filterPads(a: Axis): { after: number; crop: number } {
  const lastRead = (a.outSize - 1) * a.stride + (a.kernel - 1) * a.dilation - a.padBefore;
  const after = lastRead - (a.inSize - 1);
  return { after: Math.max(0, after), crop: Math.max(0, -after) };
}
