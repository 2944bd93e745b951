import * as tf from '@tensorflow/tfjs';
import { schemaVersion, type CommonArgs } from '../core/architecture.js';
import { architectures, type ArchitectureArgs } from '../core/registries.js';
import { architectureBuild } from './architecture.js';
import { placeholderTensor } from './backend/placeholder.js';
import { ArchbundleError } from '../core/errors.js';
import { activationLayer, type ActivationName } from './layers/activation.js';
import { SeededDropout } from './layers/dropout.js';
import { Clamp01, Whiten } from './layers/elementwise.js';
import { activationGain, KaimingNormal, type FanMode } from './layers/initializers.js';
import { normalizationLayer, type NormalizationKind } from './layers/normalization.js';
import { nextSeed } from '../core/random.js';

/**
 * Handed to an architecture's `build`: the reference implementation's `append_layer` over TF.js's
 * functional API. Architecture modules take TF.js from here (`b.tf`) rather than importing it, so
 * that the registry, and with it `archbundle validate`, never loads TensorFlow.js.
 */
export class ClassifierBuilder {
  readonly tf = tf;
  readonly input: tf.SymbolicTensor;
  private output: tf.SymbolicTensor;
  private readonly names = new Set<string>();

  /**
   * @param placeholderWeights leave Kaiming-initialised weights unset instead of drawing them
   *   (see placeholderTensor): a loader overwrites every weight anyway, and drawing 100s of MB
   *   of random numbers is slow.
   */
  constructor(readonly common: CommonArgs, private readonly placeholderWeights = false) {
    const [channels, height, width] = common.resolution;
    this.input = tf.input({ shape: [height, width, channels], name: 'input' });
    this.output = this.input;
  }

  /** Appends a layer under its own name, which becomes the prefix of its weights; `null` (e.g. normalisation 'none') adds nothing. */
  append(layer: tf.layers.Layer | null): void {
    if (layer) this.advance(layer.name, layer.apply(this.output));
  }

  /** Appends a block: a function from the running output to a new output (e.g. a stage of residual units), under `name`. */
  appendBlock(name: string, block: (x: tf.SymbolicTensor) => tf.SymbolicTensor): void {
    this.advance(name, block(this.output));
  }

  private advance(name: string, next: tf.SymbolicTensor | tf.SymbolicTensor[] | tf.Tensor | tf.Tensor[]): void {
    if (this.names.has(name)) throw new ArchbundleError('E_INVALID_ARGS', `layer name "${name}" is used twice`);
    this.names.add(name);
    if (Array.isArray(next) || !(next instanceof tf.SymbolicTensor)) {
      throw new ArchbundleError('E_INVALID_ARGS', `layer "${name}" must produce exactly one output`);
    }
    this.output = next;
  }

  /** Shape of the running output, batch dimension first (null). */
  get shape(): (number | null)[] {
    return this.output.shape;
  }

  /** A fresh seed from archbundle's random stream, for initialisers and dropout. */
  seed(): number {
    return nextSeed();
  }

  /**
   * PyTorch's `kaiming_normal_` (plain normal, std = gain / sqrt(fan)), seeded; the gain is
   * PyTorch's for the activation, the fan is the kernel's fan-in (PyTorch's default) or fan-out.
   */
  kaimingNormal(activation = 'relu', mode: FanMode = 'fanIn'): KaimingNormal {
    const config = { gain: activationGain(activation), mode, seed: this.seed() };
    return this.placeholderWeights ? new PlaceholderKaimingNormal(config) : new KaimingNormal(config);
  }

  /**
   * A 2-d convolution as the reference implementation declares them: Kaiming-normal kernel, zero
   * bias, and by default 'same' padding, which is PyTorch's `padding = kernel // 2` for odd kernels
   * at stride 1 (use `applyConv2d` for strided kernels). `pytorchDefaultInit` instead initialises
   * kernel and bias as PyTorch does when a model leaves them alone, uniform in +-1/sqrt(fan-in)
   * with the given fan-in (input channels times kernel area).
   */
  conv2d(
    name: string,
    options: {
      filters: number;
      kernelSize: number;
      strides?: number;
      bias: boolean;
      padding?: 'same' | 'valid';
      activation?: string;
      fanMode?: FanMode;
      pytorchDefaultInit?: { fanIn: number };
    },
  ): tf.layers.Layer {
    const { filters, kernelSize, strides = 1, bias, activation = 'relu', fanMode = 'fanIn' } = options;
    const bound = options.pytorchDefaultInit && 1 / Math.sqrt(options.pytorchDefaultInit.fanIn);
    const uniform = (b: number) => tf.initializers.randomUniform({ minval: -b, maxval: b, seed: this.seed() });
    return tf.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: options.padding ?? (kernelSize === 1 ? 'valid' : 'same'),
      useBias: bias,
      kernelInitializer: bound ? uniform(bound) : this.kaimingNormal(activation, fanMode),
      biasInitializer: bound ? uniform(bound) : 'zeros',
    });
  }

  /**
   * Applies a convolution to `x` with PyTorch's exact padding (`kernel // 2` on every side).
   * 'same' pads the same total, but for a strided kernel on an even size TF.js puts it all at the
   * bottom/right while PyTorch splits it: same output shape, shifted samples. So strided kernels
   * get an explicit zero padding (layer `<name>.pad`) and 'valid'; the rest use conv2d as is.
   */
  applyConv2d(
    x: tf.SymbolicTensor,
    name: string,
    options: Omit<Parameters<ClassifierBuilder['conv2d']>[1], 'padding'>,
  ): tf.SymbolicTensor {
    const { kernelSize, strides = 1 } = options;
    if (strides > 1 && kernelSize > 1) {
      const pad = Math.floor(kernelSize / 2);
      const padded = tf.layers.zeroPadding2d({ name: `${name}.pad`, padding: pad }).apply(x) as tf.SymbolicTensor;
      return this.conv2d(name, { ...options, padding: 'valid' }).apply(padded) as tf.SymbolicTensor;
    }
    return this.conv2d(name, options).apply(x) as tf.SymbolicTensor;
  }

  /**
   * A dense layer with a Kaiming-normal kernel (fan-in) and zero bias, as the reference
   * implementation's Linear layers.
   */
  dense(name: string, options: { units: number; bias: boolean; activation?: string }): tf.layers.Layer {
    return tf.layers.dense({
      name,
      units: options.units,
      useBias: options.bias,
      kernelInitializer: this.kaimingNormal(options.activation ?? 'relu'),
      biasInitializer: 'zeros',
    });
  }

  /**
   * The reference implementation's normalisation (bn: batch norm, gn: group norm, none: null, i.e.
   * nothing to add).
   */
  normalization(
    name: string,
    kind: NormalizationKind,
    channels: number,
    options: { zeroGamma?: boolean } = {},
  ): tf.layers.Layer | null {
    return normalizationLayer(name, kind, channels, options);
  }

  /** `input` through the reference implementation's normalisation, or `input` itself for 'none'. */
  applyNormalization(
    input: tf.SymbolicTensor,
    name: string,
    kind: NormalizationKind,
    channels: number,
    options: { zeroGamma?: boolean } = {},
  ): tf.SymbolicTensor {
    const layer = this.normalization(name, kind, channels, options);
    return layer ? (layer.apply(input) as tf.SymbolicTensor) : input;
  }

  /** An activation layer (relu, sigmoid, tanh, softsign, leaky_relu with slope 0.01 as in PyTorch). */
  activation(name: string, kind: ActivationName): tf.layers.Layer {
    return activationLayer(name, kind);
  }

  /** Seeded dropout; `spatial` drops whole channels (PyTorch's Dropout2d). */
  dropout(name: string, rate: number, spatial = false): tf.layers.Layer {
    return new SeededDropout({ name, rate, spatial });
  }

  finish(name: string): tf.LayersModel {
    return tf.model({ inputs: this.input, outputs: this.output, name });
  }
}

export interface NamedWeight {
  /** Stable name, e.g. "conv1/kernel" (TF.js's own `name` gets a suffix when models share names). */
  name: string;
  variable: tf.LayerVariable;
  trainable: boolean;
}

/** A built architecture: its TF.js model plus the complete validated arguments it was built from. */
export class Classifier {
  constructor(
    readonly className: string,
    /** The complete validated arguments; exactly what a checkpoint stores. */
    readonly args: Readonly<Record<string, unknown>>,
    readonly schemaVersion: number,
    readonly net: tf.LayersModel,
  ) {}

  /** The central forward: logits for an NHWC batch. */
  forward(x: tf.Tensor, training = false): tf.Tensor2D {
    return this.net.apply(x, { training }) as tf.Tensor2D;
  }

  /** Logits in evaluation mode, without keeping intermediates. */
  predict(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.forward(x, false));
  }

  /** Every weight (trainable or not, e.g. batch-norm statistics) in the model's fixed order. */
  namedWeights(): NamedWeight[] {
    const trainable = new Set(this.net.trainableWeights.map((w) => w.id));
    return this.net.weights.map((w) => ({ name: w.originalName, variable: w, trainable: trainable.has(w.id) }));
  }

  trainableVariables(): tf.Variable[] {
    return this.net.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  parameterCount(trainableOnly = true): number {
    const weights = trainableOnly ? this.net.trainableWeights : this.net.weights;
    return weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Placeholders in place of Kaiming draws, for models whose every weight a loader is about to overwrite. */
class PlaceholderKaimingNormal extends KaimingNormal {
  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    return placeholderTensor(shape, dtype);
  }
}

/** Builds a registered architecture; arguments are typed per class and validated at run time too. */
export function createModel<K extends keyof ArchitectureArgs & string>(name: K, args: ArchitectureArgs[K]): Classifier {
  return instantiate(name, args);
}

/** Builds any registered class from untyped arguments (used by loaders and the CLI). */
export function instantiate(name: string, args: unknown, options: { placeholderWeights?: boolean } = {}): Classifier {
  const build = architectureBuild(name);
  const complete = architectures.validate(name, args);
  const existing = new Set(Object.keys(tf.engine().registeredVariables));
  let net: tf.LayersModel;
  try {
    const builder = new ClassifierBuilder(complete, options.placeholderWeights);
    if (complete.clamp) builder.append(new Clamp01({ name: 'clamp' }));
    if (complete.whitening) builder.append(new Whiten({ name: 'whiten', ...complete.whitening }));
    build(builder, complete);
    net = builder.finish(name);
  } catch (error) {
    // A build that fails half way must not keep the weights its first layers made.
    for (const [key, variable] of Object.entries(tf.engine().registeredVariables)) if (!existing.has(key)) variable.dispose();
    // Arguments the schema accepts (it caps no size) can still ask for more than a typed array holds.
    if (error instanceof RangeError) {
      throw new ArchbundleError('E_INVALID_ARGS', `${name} arguments ask for weights too large to allocate: ${error.message}`, [], { cause: error });
    }
    throw error;
  }
  const shape = net.outputs[0]!.shape;
  if (shape.length !== 2 || shape[1] !== complete.classes) {
    net.dispose();
    throw new ArchbundleError(
      'E_INVALID_ARGS',
      `${name} builds an output of shape [${shape.join(', ')}], expected [batch, ${complete.classes}]`,
    );
  }
  return new Classifier(name, deepFreeze(complete), schemaVersion(architectures.get(name).schema), net);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
