import * as tf from '@tensorflow/tfjs';
import { runOriginal } from './fallback.js';
import { WasmOps } from './wasm-ops.js';

/**
 * Sum and Mean over a contiguous block of axes that is not the innermost (batch-norm statistics,
 * bias gradients, global pooling): TF.js's wasm kernels transpose the whole tensor first, which
 * costs far more than the reduction itself. Viewed as [outer, block, 1, inner], the reduction is one
 * XNNPACK average pooling with a [block, 1] window, which reads the tensor once.
 */
function reduceByPooling(kernelName: 'Sum' | 'Mean'): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs, backend } = args;
    const x = (inputs as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const block = contiguousBlock(axes, x.shape.length);
    if (x.dtype !== 'float32' || !block) return runOriginal(kernelName, args);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, block.first));
    const size = tf.util.sizeFromShape(x.shape.slice(block.first, block.last + 1));
    const inner = tf.util.sizeFromShape(x.shape.slice(block.last + 1));
    if (size <= 1 || outer * inner === 0) return runOriginal(kernelName, args);
    const ops = new WasmOps(backend);
    const view = ops.reshape(x, [outer, size, 1, inner]);
    let result = ops.run('AvgPool', { x: view }, { filterSize: [size, 1], strides: [1, 1], pad: 'valid' });
    ops.release(view);
    if (kernelName === 'Sum') {
      const count = ops.backend.makeOutput([], 'float32', undefined, new Float32Array([size]));
      result = ops.then(result, (mean) => ops.run('Multiply', { a: mean, b: count }));
      ops.release(count);
    }
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    return ops.then(result, (r) => ops.reshape(r, outShape));
  };
}

/** The axes as one run [first..last] that leaves at least one axis after it, else undefined. */
function contiguousBlock(axes: number[], rank: number): { first: number; last: number } | undefined {
  if (axes.length === 0) return undefined;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length || last === rank - 1) return undefined;
  return { first, last };
}

export const sumConfig: tf.KernelConfig = { kernelName: 'Sum', backendName: 'wasm', kernelFunc: reduceByPooling('Sum') };
export const meanConfig: tf.KernelConfig = { kernelName: 'Mean', backendName: 'wasm', kernelFunc: reduceByPooling('Mean') };
