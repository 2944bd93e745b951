/**
 * A classifier's inference graph as ONNX (graph description only; bytes come from
 * src/core/onnx/encode-model.ts): every layer in evaluation mode, each 2-d convolution followed
 * only by a channel batch norm with the batch norm folded into its weights, as compileForInference
 * does. Input `input`: float32 NHWC [batch, H, W, C] (batch symbolic), the values the TF.js model
 * takes (the bundle's input contract says how pixels are scaled); output `logits` [batch, classes].
 */
import * as tf from '@tensorflow/tfjs';
import { ArchbundleError } from '../../../core/errors.js';
import type { OnnxGraph } from '../../../core/onnx/graph.js';
import { foldBatchNorm, weightsByName } from '../../inference/fold-batch-norm.js';
import type { Classifier } from '../../classifier.js';
import { GraphBuilder, type Value } from './graph-builder.js';
import { convolution, LAYER_CONVERTERS, type LayerContext } from './layer-converters.js';

export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

export interface OnnxGraphOptions {
  /** Kept in the model's metadata, e.g. the bundle's arch.json. */
  metadata?: Record<string, string>;
}

/** The layer classes the exporter converts (TF.js class names; archbundle's own start with Archbundle). */
export function exportableLayerClasses(): string[] {
  return Object.keys(LAYER_CONVERTERS);
}

/** The ONNX graph of `model`'s inference; refuses (E_EXPORT_UNSUPPORTED) a layer it cannot convert, naming it. */
export function onnxGraphOf(model: Classifier, options: OnnxGraphOptions = {}): OnnxGraph {
  return onnxGraphOfNet(model.net, model.className, options);
}

export function onnxGraphOfNet(net: tf.LayersModel, name: string, options: OnnxGraphOptions = {}): OnnxGraph {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) {
    throw new ArchbundleError('E_EXPORT_UNSUPPORTED', `model ${name} cannot be exported to ONNX: expected one input and one output, received ${net.inputs.length} and ${net.outputs.length}`);
  }
  const inputShape = net.inputs[0]!.shape;
  const outputShape = net.outputs[0]!.shape;
  if (inputShape.length !== 4 || inputShape.slice(1).some((d) => d === null) || outputShape.length !== 2) {
    throw new ArchbundleError('E_EXPORT_UNSUPPORTED', `model ${name} cannot be exported to ONNX: expected an NHWC input [batch, H, W, C] and an output [batch, classes], received [${inputShape.join(', ')}] and [${outputShape.join(', ')}]`);
  }
  const reused = net.layers.find((l) => l.inboundNodes.length > 1);
  if (reused) {
    throw new ArchbundleError('E_EXPORT_UNSUPPORTED', `layer "${reused.name}" (${reused.getClassName()}) cannot be exported to ONNX: it is applied ${reused.inboundNodes.length} times; expected each layer applied once`);
  }

  const consumers = new Map<tf.layers.Layer, tf.layers.Layer[]>();
  for (const layer of net.layers) for (const source of inboundLayers(layer)) consumers.set(source, [...(consumers.get(source) ?? []), layer]);
  const outputLayer = net.outputLayers[0]!;

  const g = new GraphBuilder();
  g.name(ONNX_INPUT);
  g.name(ONNX_OUTPUT);
  const values = new Map<tf.layers.Layer, Value>();
  const absorbed = new Set<tf.layers.Layer>();
  for (const layer of net.layers) {
    if (absorbed.has(layer)) continue;
    const className = layer.getClassName();
    if (className === 'InputLayer') {
      values.set(layer, { name: ONNX_INPUT, layout: 'nhwc' });
      continue;
    }
    const context: LayerContext = { g, layer, inputs: inboundLayers(layer).map((l) => values.get(l)!), inputShape: firstInputShape(layer) };
    const bn = className === 'Conv2D' ? foldableBatchNorm(layer, consumers, outputLayer) : undefined;
    if (bn) {
      const folded = foldBatchNorm(layer, bn);
      try {
        const value = convolution(context, folded);
        values.set(layer, value);
        values.set(bn, value);
        absorbed.add(bn);
      } finally {
        tf.dispose([folded.filter, folded.bias]);
      }
      continue;
    }
    const convert = LAYER_CONVERTERS[className];
    if (!convert) {
      throw new ArchbundleError(
        'E_EXPORT_UNSUPPORTED',
        `layer "${layer.name}" (${className}) cannot be exported to ONNX: no converter for ${className}; expected one of ${exportableLayerClasses().join(', ')}`,
      );
    }
    values.set(layer, convert(context));
  }

  const final = values.get(outputLayer)!;
  g.nodes.push({ opType: 'Identity', name: ONNX_OUTPUT, inputs: [final.name], outputs: [ONNX_OUTPUT] });
  const [, height, width, channels] = inputShape as number[];
  return {
    name: name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: ONNX_INPUT, shape: ['batch', height!, width!, channels!] }],
    outputs: [{ name: ONNX_OUTPUT, shape: ['batch', outputShape[1]!] }],
    metadata: options.metadata ?? {},
    docString: `${name}: inference graph exported by archbundle (batch norms folded into convolutions); input NHWC float32, output logits`,
  };
}

function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  return layer.inboundNodes[0]?.inboundLayers ?? [];
}

function firstInputShape(layer: tf.layers.Layer): (number | null)[] {
  const shapes = layer.inboundNodes[0]!.inputShapes as (number | null)[] | (number | null)[][];
  return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as (number | null)[];
}

/** The batch norm a convolution absorbs: its sole consumer, over channels, after a linear conv (compileForInference's rule). */
function foldableBatchNorm(conv: tf.layers.Layer, consumers: Map<tf.layers.Layer, tf.layers.Layer[]>, outputLayer: tf.layers.Layer): tf.layers.Layer | undefined {
  const config = conv.getConfig();
  const next = consumers.get(conv);
  if (conv === outputLayer || next?.length !== 1 || config.dataFormat !== 'channelsLast' || config.activation !== 'linear') return undefined;
  const bn = next[0]!;
  if (bn.getClassName() !== 'BatchNormalization') return undefined;
  const axis = Number(bn.getConfig().axis);
  return (axis === -1 || axis === 3) && weightsByName(bn).has('moving_mean') ? bn : undefined;
}
