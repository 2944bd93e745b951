/**
 * Floating-point operations of a LayersModel's multiply-add layers (Conv2D, DepthwiseConv2D, Dense)
 * for one batch: the work a GEMM or convolution kernel does, so that a step's FLOPs over its time
 * can be set against the GFLOP/s those kernels reach alone (bench:limit). Element-wise layers
 * (batch norm, activations, pooling, additions, bias) are not counted: they are memory-bound, and
 * counting them would flatter the share of the limit.
 *
 * Forward: 2 FLOPs (a multiply and an add) per multiply-add, e.g. 2*N*Ho*Wo*Co*Ci*kh*kw for a
 * convolution. Backward: the weight gradient costs as much as the forward pass, and so does the
 * input gradient, which autodiff computes only when some layer upstream has trainable weights (the
 * first convolution's input gradient is never computed).
 */
import type * as tf from '@tensorflow/tfjs';

export interface LayerFlops {
  name: string;
  className: string;
  forward: number;
  /** Input gradient: 0 when nothing upstream trains. */
  backwardInput: number;
  /** Weight gradient: 0 when the layer's kernel is not trainable. */
  backwardWeights: number;
}

export interface ModelFlops {
  batch: number;
  /** One inference step (forward only). */
  forward: number;
  /** One training step's gradients. */
  backward: number;
  /** forward + backward. */
  training: number;
  layers: LayerFlops[];
}

/** Layers holding a kernel that this counter knows how to count. */
const COUNTED = new Set(['Conv2D', 'DepthwiseConv2D', 'Dense']);

export function countModelFlops(model: tf.LayersModel, batch: number): ModelFlops {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`countModelFlops: batch must be a positive integer, received ${batch}`);
  const layers: LayerFlops[] = [];
  // Layers whose output depends on a trainable weight: their consumers need an input gradient.
  const trainsUpstream = new Set<string>();
  for (const layer of model.layers) {
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers.map((l) => l.name));
    const needsInputGradient = inbound.some((name) => trainsUpstream.has(name));
    if (needsInputGradient || layer.trainableWeights.length > 0) trainsUpstream.add(layer.name);
    const forward = forwardFlops(layer, batch);
    if (forward === 0) continue;
    const kernelTrains = layer.trainableWeights.some((w) => isKernel(w.originalName));
    layers.push({
      name: layer.name,
      className: layer.getClassName(),
      forward,
      backwardInput: needsInputGradient ? forward : 0,
      backwardWeights: kernelTrains ? forward : 0,
    });
  }
  const forward = sum(layers.map((l) => l.forward));
  const backward = sum(layers.map((l) => l.backwardInput + l.backwardWeights));
  return { batch, forward, backward, training: forward + backward, layers };
}

function forwardFlops(layer: tf.layers.Layer, batch: number): number {
  const className = layer.getClassName();
  const kernel = layer.weights.find((w) => isKernel(w.originalName));
  if (!COUNTED.has(className)) {
    if (kernel) throw new TypeError(`countModelFlops: layer "${layer.name}" (${className}) has a kernel this counter cannot count; expected only ${[...COUNTED].join(', ')} to hold one`);
    return 0;
  }
  if (!kernel) throw new TypeError(`countModelFlops: layer "${layer.name}" (${className}) has no kernel weight`);
  const output = layer.outputShape as (number | null)[];
  if (output.slice(1).some((d) => d === null)) throw new TypeError(`countModelFlops: layer "${layer.name}" has an output shape with unknown sizes: ${JSON.stringify(output)}`);
  const pixels = batch * product(output.slice(1, -1) as number[]);
  const shape = kernel.shape as number[];
  // Conv2D kernel [kh, kw, Ci, Co]: each of the Co outputs per pixel is Ci*kh*kw multiply-adds.
  // DepthwiseConv2D kernel [kh, kw, C, multiplier]: each of the C*multiplier outputs is kh*kw.
  // Dense kernel [in, out]: "pixels" is the batch (times any leading axes), each output is in.
  // In all three the multiply-adds per pixel are the kernel's size.
  return 2 * pixels * product(shape);
}

function isKernel(name: string): boolean {
  return /(^|\/)(depthwise_)?kernel$/.test(name);
}

const product = (values: number[]) => values.reduce((a, b) => a * b, 1);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
