import * as tf from '@tensorflow/tfjs';
import { foldBatchNorm, weightsByName, type FoldedConv } from './fold-batch-norm.js';

/** Activations the fused convolution kernels apply in place. */
type FusedActivation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu';

interface Step {
  /** The layer whose output this step produces (the last of a fused group). */
  output: tf.layers.Layer;
  /** Layers whose outputs feed this step, in the first layer's input order. */
  inputs: tf.layers.Layer[];
  run(inputs: tf.Tensor[]): tf.Tensor;
}

/** An evaluation-only copy of a model's computation: a snapshot of its weights, to be recompiled after training. */
export interface InferenceModel {
  /** Logits (or the model's single output) for a batch, in evaluation mode. */
  predict(x: tf.Tensor): tf.Tensor;
  /** How many convolutions absorbed a batch norm, and how many absorbed an activation. */
  readonly folded: { batchNorms: number; activations: number };
  dispose(): void;
}

/**
 * Compiles a single-input, single-output functional model for inference: every 2-D convolution
 * followed only by a batch norm (and then only by an activation the fused kernel supports) runs as
 * one fused conv + bias + activation with the batch norm folded into its weights. Other layers run
 * as they are. Models that reuse a layer are run unchanged.
 */
export function compileForInference(model: tf.LayersModel): InferenceModel {
  const order = model.layers;
  const reusesLayers = order.some((l) => l.inboundNodes.length > 1);
  if (reusesLayers || model.inputs.length !== 1 || model.outputs.length !== 1) return unchanged(model);

  const consumers = new Map<tf.layers.Layer, number>();
  for (const layer of order) for (const source of inboundLayers(layer)) consumers.set(source, (consumers.get(source) ?? 0) + 1);
  const outputLayer = model.outputLayers[0]!;
  consumers.set(outputLayer, (consumers.get(outputLayer) ?? 0) + 1);
  const soleConsumer = (layer: tf.layers.Layer): tf.layers.Layer | undefined => {
    if (consumers.get(layer) !== 1) return undefined;
    return order.find((l) => inboundLayers(l).includes(layer));
  };

  const owned: tf.Tensor[] = [];
  const steps: Step[] = [];
  const absorbed = new Set<tf.layers.Layer>();
  const folded = { batchNorms: 0, activations: 0 };
  for (const layer of order) {
    if (absorbed.has(layer) || layer.getClassName() === 'InputLayer') continue;
    const fusion = layer.getClassName() === 'Conv2D' ? planConvFusion(layer, soleConsumer) : undefined;
    if (!fusion) {
      steps.push({ output: layer, inputs: inboundLayers(layer), run: (xs) => applyLayer(layer, xs) });
      continue;
    }
    const { bn, activation, activationLayer } = fusion;
    const weights: FoldedConv = bn ? foldBatchNorm(layer, bn) : convWeights(layer);
    owned.push(weights.filter, weights.bias);
    if (bn) {
      absorbed.add(bn);
      folded.batchNorms++;
    }
    if (activationLayer) {
      absorbed.add(activationLayer);
      folded.activations++;
    }
    const config = layer.getConfig();
    const conv = {
      strides: config.strides as [number, number],
      pad: config.padding as 'same' | 'valid',
      dilations: config.dilationRate as [number, number],
    };
    steps.push({
      output: activationLayer ?? bn ?? layer,
      inputs: inboundLayers(layer),
      run: ([x]) => tf.fused.conv2d({
        x: x as tf.Tensor4D, filter: weights.filter, bias: weights.bias, ...conv, dataFormat: 'NHWC',
        activation: activation.name, leakyreluAlpha: activation.alpha,
      }),
    });
  }
  const inputLayer = model.inputLayers[0]!;
  const finalLayer = outputLayer;
  return {
    folded,
    predict(x) {
      return tf.tidy(() => {
        const values = new Map<tf.layers.Layer, tf.Tensor>([[inputLayer, x]]);
        for (const step of steps) values.set(step.output, step.run(step.inputs.map((l) => values.get(l)!)));
        return values.get(finalLayer)!;
      });
    },
    dispose() {
      tf.dispose(owned);
    },
  };
}

function unchanged(model: tf.LayersModel): InferenceModel {
  return {
    folded: { batchNorms: 0, activations: 0 },
    predict: (x) => tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor),
    dispose() {},
  };
}

function inboundLayers(layer: tf.layers.Layer): tf.layers.Layer[] {
  return layer.inboundNodes[0]?.inboundLayers ?? [];
}

function applyLayer(layer: tf.layers.Layer, inputs: tf.Tensor[]): tf.Tensor {
  const out = layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: false });
  if (Array.isArray(out)) throw new Error(`layer "${layer.name}" has several outputs; compileForInference expects one`);
  return out as tf.Tensor;
}

/** A channels-last 2-D conv with linear activation, then (each the sole consumer) a BN over channels and an activation. */
function planConvFusion(conv: tf.layers.Layer, soleConsumer: (l: tf.layers.Layer) => tf.layers.Layer | undefined) {
  const config = conv.getConfig();
  if (config.dataFormat !== 'channelsLast') return undefined;
  const own = activationOf(conv);
  let next = soleConsumer(conv);
  let bn: tf.layers.Layer | undefined;
  if (own?.name === 'linear' && next?.getClassName() === 'BatchNormalization' && isChannelBatchNorm(next)) {
    bn = next;
    next = soleConsumer(next);
  }
  if (!own) return undefined;
  if (own.name !== 'linear') return { bn: undefined, activation: own, activationLayer: undefined };
  const after = next ? activationOf(next) : undefined;
  if (next && after && after.name !== 'linear' && isActivationLayer(next)) {
    return { bn, activation: after, activationLayer: next };
  }
  return bn ? { bn, activation: own, activationLayer: undefined } : undefined;
}

function isChannelBatchNorm(bn: tf.layers.Layer): boolean {
  const axis = bn.getConfig().axis as number;
  return (axis === -1 || axis === 3) && weightsByName(bn).has('moving_mean');
}

function isActivationLayer(layer: tf.layers.Layer): boolean {
  return ['Activation', 'ReLU', 'LeakyReLU', 'ELU'].includes(layer.getClassName());
}

/** The fusable activation a conv or activation layer applies, if any. */
function activationOf(layer: tf.layers.Layer): { name: FusedActivation; alpha?: number } | undefined {
  const config = layer.getConfig();
  switch (layer.getClassName()) {
    case 'ReLU':
      return config.maxValue == null ? { name: 'relu' } : config.maxValue === 6 ? { name: 'relu6' } : undefined;
    case 'LeakyReLU':
      return { name: 'leakyrelu', alpha: config.alpha as number };
    case 'ELU':
      return config.alpha === 1 ? { name: 'elu' } : undefined;
    default: {
      const name = config.activation as string | undefined;
      if (name === 'linear' || name === 'relu' || name === 'relu6' || name === 'elu' || name === 'sigmoid') return { name };
      return undefined;
    }
  }
}

function convWeights(conv: tf.layers.Layer): FoldedConv {
  const w = weightsByName(conv);
  const kernel = w.get('kernel')!;
  return tf.tidy(() => ({
    filter: tf.clone(kernel) as tf.Tensor4D,
    bias: (w.get('bias') ? tf.clone(w.get('bias')!) : tf.zeros([kernel.shape[3]!])) as tf.Tensor1D,
  }));
}
