import * as tf from '@tensorflow/tfjs';

/** Clamps its input to [0, 1] (the reference implementation's `include_clamp`). Has no weights. */
export class Clamp01 extends tf.layers.Layer {
  static readonly className = 'ArchbundleClamp01';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.clipByValue(single(inputs), 0, 1));
  }

  override getClassName(): string {
    return Clamp01.className;
  }
}

/** Subtracts a fixed per-channel mean and divides by a fixed std (NHWC). Has no weights. */
export class Whiten extends tf.layers.Layer {
  static readonly className = 'ArchbundleWhiten';
  private readonly mean: number[];
  private readonly std: number[];

  constructor(config: { name: string; mean: number[]; std: number[] }) {
    super({ name: config.name });
    this.mean = config.mean;
    this.std = config.std;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.div(tf.sub(single(inputs), tf.tensor1d(this.mean)), tf.tensor1d(this.std)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mean: this.mean, std: this.std };
  }

  override getClassName(): string {
    return Whiten.className;
  }
}

export function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}
