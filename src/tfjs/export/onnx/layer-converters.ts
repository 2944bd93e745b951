/**
 * One converter per TF.js layer class that archbundle's architectures are built from: each adds
 * the ONNX nodes computing the layer's inference-mode output. A layer class without a converter
 * is refused by the exporter (model-to-onnx.ts), which names it.
 */
import * as tf from '@tensorflow/tfjs';
import { ArchbundleError } from '../../../core/errors.js';
import type { FoldedConv } from '../../inference/fold-batch-norm.js';
import { weightsByName } from '../../inference/fold-batch-norm.js';
import { channelDims, type GraphBuilder, type Value } from './graph-builder.js';

export interface LayerContext {
  g: GraphBuilder;
  layer: tf.layers.Layer;
  /** The layer's inputs, in its inbound order. */
  inputs: Value[];
  /** TF.js's shape (NHWC, batch first as null) of the layer's first input. */
  inputShape: (number | null)[];
}

export type LayerConverter = (context: LayerContext) => Value;

/** The values a layer's weights hold, by the last part of their name (kernel, bias, gamma, ...). */
function weightValues(layer: tf.layers.Layer): Map<string, tf.Tensor> {
  return weightsByName(layer);
}

function unsupported(layer: tf.layers.Layer, what: string, expected: string): never {
  throw new ArchbundleError('E_EXPORT_UNSUPPORTED', `layer "${layer.name}" (${layer.getClassName()}) cannot be exported to ONNX: ${what}; expected ${expected}`);
}

/** TF.js's 'same' padding along one axis, [begin, end] (the odd pixel goes at the end, as in TF). */
function samePads(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX `pads` ([top, left, bottom, right]) for a 2-d window over an NHWC input shape. */
function windowPads(context: LayerContext, padding: unknown, kernel: number[], strides: number[], dilations = [1, 1]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') unsupported(context.layer, `padding ${JSON.stringify(padding)}`, "'same' or 'valid'");
  const [, height, width] = context.inputShape;
  const [top, bottom] = samePads(height!, kernel[0]!, strides[0]!, dilations[0]!);
  const [left, right] = samePads(width!, kernel[1]!, strides[1]!, dilations[1]!);
  return [top, left, bottom, right];
}

function pair(value: unknown): number[] {
  return Array.isArray(value) ? value.map(Number) : [Number(value), Number(value)];
}

function requireChannelsLast(layer: tf.layers.Layer): void {
  const format = layer.getConfig().dataFormat;
  if (format !== undefined && format !== 'channelsLast') unsupported(layer, `dataFormat ${JSON.stringify(format)}`, "'channelsLast'");
}

/** An element-wise activation by TF.js's name, applied to `x` in whatever layout it has. */
export function activation(context: LayerContext, x: Value, kind: string, base: string): Value {
  const { g, layer } = context;
  const unary = (op: string, attributes?: Parameters<GraphBuilder['op']>[3]) => ({ name: g.op(op, base, [x.name], attributes), layout: x.layout });
  switch (kind) {
    case 'linear':
      return x;
    case 'relu':
      return unary('Relu');
    case 'sigmoid':
      return unary('Sigmoid');
    case 'tanh':
      return unary('Tanh');
    case 'softsign':
      return unary('Softsign');
    case 'softplus':
      return unary('Softplus');
    case 'elu':
      return unary('Elu', { alpha: { float: 1 } });
    case 'selu':
      return unary('Selu');
    case 'relu6':
      return clip(g, x, 0, 6, base);
    case 'hardSigmoid':
      return unary('HardSigmoid', { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case 'softmax': {
      const last = x.layout === 'nchw' ? g.inLayout(x, 'nhwc') : x;
      return { name: g.op('Softmax', base, [last.name], { axis: { int: -1 } }), layout: last.layout };
    }
    default:
      return unsupported(layer, `activation ${JSON.stringify(kind)}`, 'linear, relu, relu6, sigmoid, tanh, softsign, softplus, elu, selu, hardSigmoid or softmax');
  }
}

function clip(g: GraphBuilder, x: Value, min: number, max: number, base: string): Value {
  const bounds = [g.constant(`${base}.min`, [], [min]), g.constant(`${base}.max`, [], [max])];
  return { name: g.op('Clip', base, [x.name, ...bounds]), layout: x.layout };
}

/** Conv2D, optionally with an evaluation-mode batch norm folded into its weights (compileForInference's folding). */
export function convolution(context: LayerContext, folded?: FoldedConv): Value {
  const { g, layer } = context;
  requireChannelsLast(layer);
  const config = layer.getConfig();
  const kernelSize = pair(config.kernelSize);
  const strides = pair(config.strides);
  const dilations = pair(config.dilationRate);
  const pads = windowPads(context, config.padding, kernelSize, strides, dilations);
  const weights = weightValues(layer);
  const kernel = folded?.filter ?? weights.get('kernel')!;
  const bias = folded?.bias ?? weights.get('bias');
  // TF.js kernels are [kh, kw, in, out]; ONNX's are [out, in, kh, kw].
  const onnxKernel = tf.tidy(() => tf.transpose(kernel, [3, 2, 0, 1]));
  const w = g.constant(`${layer.name}.weight`, onnxKernel.shape, onnxKernel.dataSync() as Float32Array);
  onnxKernel.dispose();
  const inputs = [g.inLayout(context.inputs[0]!, 'nchw').name, w];
  if (bias) inputs.push(g.constant(`${layer.name}.bias`, bias.shape, bias.dataSync() as Float32Array));
  const y: Value = {
    name: g.op('Conv', layer.name, inputs, { kernel_shape: { ints: kernelSize }, strides: { ints: strides }, dilations: { ints: dilations }, pads: { ints: pads }, group: { int: 1 } }),
    layout: 'nchw',
  };
  return activation(context, y, String(config.activation ?? 'linear'), `${layer.name}.activation`);
}

function dense(context: LayerContext): Value {
  const { g, layer } = context;
  const x = context.inputs[0]!;
  if (x.layout !== 'flat') unsupported(layer, `an input of rank ${context.inputShape.length}`, 'a flat [batch, features] input (add a Flatten or global pooling first)');
  const weights = weightValues(layer);
  const kernel = weights.get('kernel')!;
  const bias = weights.get('bias');
  const inputs = [x.name, g.constant(`${layer.name}.weight`, kernel.shape, kernel.dataSync() as Float32Array)];
  if (bias) inputs.push(g.constant(`${layer.name}.bias`, bias.shape, bias.dataSync() as Float32Array));
  const y: Value = { name: g.op('Gemm', layer.name, inputs), layout: 'flat' };
  return activation(context, y, String(layer.getConfig().activation ?? 'linear'), `${layer.name}.activation`);
}

/** An evaluation-mode batch norm that no convolution absorbed: x * scale + shift per channel. */
function batchNormalization(context: LayerContext): Value {
  const { g, layer } = context;
  const config = layer.getConfig();
  const axis = Number(config.axis);
  if (axis !== -1 && axis !== context.inputShape.length - 1) unsupported(layer, `axis ${axis}`, 'the channel axis (-1)');
  const x = context.inputs[0]!;
  const w = weightValues(layer);
  const [scale, shift] = tf.tidy(() => {
    const mean = w.get('moving_mean')!;
    const channels = mean.shape[0]!;
    const gamma = w.get('gamma') ?? tf.ones([channels]);
    const beta = w.get('beta') ?? tf.zeros([channels]);
    const s = tf.mul(gamma, tf.rsqrt(tf.add(w.get('moving_variance')!, Number(config.epsilon))));
    return [s.dataSync() as Float32Array, tf.sub(beta, tf.mul(mean, s)).dataSync() as Float32Array];
  });
  const dims = channelDims(x.layout, scale.length);
  const scaled = g.op('Mul', `${layer.name}.scale`, [x.name, g.constant(`${layer.name}.scale`, dims, scale)]);
  return { name: g.op('Add', layer.name, [scaled, g.constant(`${layer.name}.shift`, dims, shift)]), layout: x.layout };
}

/**
 * archbundle's GroupNormalization (PyTorch's): opset 17 has no GroupNormalization, so the
 * channels are reshaped into [batch, groups, rest], normalised per group by
 * InstanceNormalization (unit scale, zero bias), reshaped back and given the per-channel affine.
 */
function groupNormalization(context: LayerContext): Value {
  const { g, layer } = context;
  const config = layer.getConfig();
  const groups = Number(config.groups);
  const [, height, width, channels] = context.inputShape as number[];
  const x = g.inLayout(context.inputs[0]!, 'nchw');
  const grouped = g.op('Reshape', `${layer.name}.groups`, [x.name, g.int64(`${layer.name}.groups.shape`, [0, groups, -1])]);
  const ones = g.constant(`${layer.name}.unit_scale`, [groups], new Float32Array(groups).fill(1));
  const zeros = g.constant(`${layer.name}.zero_bias`, [groups], new Float32Array(groups));
  const normalised = g.op('InstanceNormalization', `${layer.name}.normalise`, [grouped, ones, zeros], { epsilon: { float: Number(config.epsilon) } });
  const back = g.op('Reshape', `${layer.name}.channels`, [normalised, g.int64(`${layer.name}.channels.shape`, [0, channels!, height!, width!])]);
  const w = weightValues(layer);
  const dims = channelDims('nchw', channels!);
  const scaled = g.op('Mul', `${layer.name}.gamma`, [back, g.constant(`${layer.name}.gamma`, dims, w.get('gamma')!.dataSync() as Float32Array)]);
  return { name: g.op('Add', layer.name, [scaled, g.constant(`${layer.name}.beta`, dims, w.get('beta')!.dataSync() as Float32Array)]), layout: 'nchw' };
}

function activationLayer(context: LayerContext): Value {
  const { layer } = context;
  const config = layer.getConfig();
  const x = context.inputs[0]!;
  switch (layer.getClassName()) {
    case 'ReLU':
      return config.maxValue == null ? activation(context, x, 'relu', layer.name) : clip(context.g, x, 0, Number(config.maxValue), layer.name);
    case 'LeakyReLU':
      return { name: context.g.op('LeakyRelu', layer.name, [x.name], { alpha: { float: Number(config.alpha) } }), layout: x.layout };
    case 'ELU':
      return { name: context.g.op('Elu', layer.name, [x.name], { alpha: { float: Number(config.alpha) } }), layout: x.layout };
    case 'Softmax':
      if (config.axis !== -1 && config.axis !== context.inputShape.length - 1) unsupported(layer, `axis ${String(config.axis)}`, 'the last axis');
      return activation(context, x, 'softmax', layer.name);
    default:
      return activation(context, x, String(config.activation), layer.name);
  }
}

function pooling(context: LayerContext): Value {
  const { g, layer } = context;
  requireChannelsLast(layer);
  const config = layer.getConfig();
  const kernel = pair(config.poolSize);
  const strides = pair(config.strides ?? config.poolSize);
  const pads = windowPads(context, config.padding, kernel, strides);
  const x = g.inLayout(context.inputs[0]!, 'nchw');
  const max = layer.getClassName() === 'MaxPooling2D';
  // TF's 'same' average pooling divides by the pixels inside the input only: count_include_pad 0.
  const attributes = { kernel_shape: { ints: kernel }, strides: { ints: strides }, pads: { ints: pads }, ...(max ? {} : { count_include_pad: { int: 0 } }) };
  return { name: g.op(max ? 'MaxPool' : 'AveragePool', layer.name, [x.name], attributes), layout: 'nchw' };
}

function globalPooling(context: LayerContext): Value {
  const { g, layer } = context;
  requireChannelsLast(layer);
  if (layer.getConfig().keepDims === true) unsupported(layer, 'keepDims true', 'keepDims false');
  const x = g.inLayout(context.inputs[0]!, 'nchw');
  const op = layer.getClassName() === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  const pooled = g.op(op, `${layer.name}.pool`, [x.name]);
  return { name: g.op('Flatten', layer.name, [pooled], { axis: { int: 1 } }), layout: 'flat' };
}

/** TF.js flattens in NHWC order, so a channels-first value goes back to NHWC first. */
function flatten(context: LayerContext): Value {
  const { g, layer } = context;
  const x = context.inputs[0]!;
  if (x.layout === 'flat') return x;
  const nhwc = g.inLayout(x, 'nhwc');
  return { name: g.op('Flatten', layer.name, [nhwc.name], { axis: { int: 1 } }), layout: 'flat' };
}

/** Dropout and noise layers compute the identity at inference. */
function identity(context: LayerContext): Value {
  return context.inputs[0]!;
}

const MERGE_OPS: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min' };

function merge(context: LayerContext): Value {
  const { g, layer } = context;
  const first = context.inputs[0]!;
  const inputs = context.inputs.map((v) => (first.layout === 'flat' ? v : g.inLayout(v, first.layout as 'nhwc' | 'nchw')));
  if (inputs.some((v) => v.layout !== first.layout)) unsupported(layer, 'inputs of different ranks', 'inputs of one rank');
  const className = layer.getClassName();
  const names = inputs.map((v) => v.name);
  if (MERGE_OPS[className]) return { name: g.op(MERGE_OPS[className], layer.name, names), layout: first.layout };
  if (className === 'Subtract') return { name: g.op('Sub', layer.name, names), layout: first.layout };
  // Multiply: a chain of binary Mul nodes
  let product = names[0]!;
  for (const [i, name] of names.slice(1).entries()) product = g.op('Mul', i === names.length - 2 ? layer.name : `${layer.name}.${i}`, [product, name]);
  return { name: product, layout: first.layout };
}

/** TF.js's axis (of NHWC or flat data) in the layout the value has. */
const NHWC_TO_NCHW_AXIS = [0, 2, 3, 1];

function concatenate(context: LayerContext): Value {
  const { g, layer } = context;
  const first = context.inputs[0]!;
  const inputs = context.inputs.map((v) => (first.layout === 'flat' ? v : g.inLayout(v, first.layout as 'nhwc' | 'nchw')));
  const rank = context.inputShape.length;
  const axis = (Number(layer.getConfig().axis) + rank) % rank;
  const onnxAxis = first.layout === 'nchw' ? NHWC_TO_NCHW_AXIS[axis]! : axis;
  return { name: g.op('Concat', layer.name, inputs.map((v) => v.name), { axis: { int: onnxAxis } }), layout: first.layout };
}

function zeroPadding(context: LayerContext): Value {
  const { g, layer } = context;
  requireChannelsLast(layer);
  const [[top, bottom], [left, right]] = layer.getConfig().padding as [[number, number], [number, number]];
  const x = g.inLayout(context.inputs[0]!, 'nchw');
  const pads = g.int64(`${layer.name}.pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return { name: g.op('Pad', layer.name, [x.name, pads], { mode: { string: 'constant' } }), layout: 'nchw' };
}

function clamp01(context: LayerContext): Value {
  return clip(context.g, context.inputs[0]!, 0, 1, context.layer.name);
}

function whiten(context: LayerContext): Value {
  const { g, layer } = context;
  const { mean, std } = layer.getConfig() as { mean: number[]; std: number[] };
  const x = context.inputs[0]!;
  const dims = channelDims(x.layout, mean.length);
  const centred = g.op('Sub', `${layer.name}.centre`, [x.name, g.constant(`${layer.name}.mean`, dims, mean)]);
  return { name: g.op('Div', layer.name, [centred, g.constant(`${layer.name}.std`, dims, std)]), layout: x.layout };
}

/** Converters by TF.js class name (Conv2D is handled by `convolution`, which may fold a batch norm). */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: (context) => convolution(context),
  Dense: dense,
  BatchNormalization: batchNormalization,
  ArchbundleGroupNormalization: groupNormalization,
  Activation: activationLayer,
  ReLU: activationLayer,
  LeakyReLU: activationLayer,
  ELU: activationLayer,
  Softmax: activationLayer,
  MaxPooling2D: pooling,
  AveragePooling2D: pooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  Flatten: flatten,
  Dropout: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  ArchbundleSeededDropout: identity,
  Add: merge,
  Subtract: merge,
  Multiply: merge,
  Average: merge,
  Maximum: merge,
  Minimum: merge,
  Concatenate: concatenate,
  ZeroPadding2D: zeroPadding,
  ArchbundleClamp01: clamp01,
  ArchbundleWhiten: whiten,
};
