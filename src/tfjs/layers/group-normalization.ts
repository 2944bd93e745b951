import * as tf from '@tensorflow/tfjs';
import { ArchbundleError } from '../../core/errors.js';
import { single } from './elementwise.js';

export interface GroupNormalizationConfig {
  name: string;
  groups: number;
  /** PyTorch's default. */
  epsilon?: number;
  /** Start gamma at zero instead of one (zero-initialised residual branches). */
  zeroGamma?: boolean;
}

/**
 * Group normalisation (Wu & He, 2018) for NHWC inputs, as PyTorch's GroupNorm: the channels are
 * split into `groups` consecutive groups; each sample is normalised over (height, width, channels
 * of its group) with the biased variance, then scaled by a per-channel gamma and shifted by beta.
 * TF.js has no such layer. Unlike batch normalisation it keeps no running statistics, so training
 * and inference compute the same thing.
 */
export class GroupNormalization extends tf.layers.Layer {
  static readonly className = 'ArchbundleGroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  readonly zeroGamma: boolean;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(config: GroupNormalizationConfig) {
    super({ name: config.name });
    this.groups = config.groups;
    this.epsilon = config.epsilon ?? 1e-5;
    this.zeroGamma = config.zeroGamma ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || typeof channels !== 'number' || channels % this.groups !== 0) {
      throw new ArchbundleError(
        'E_INVALID_ARGS',
        `GroupNormalization "${this.name}" expects an NHWC input whose channels divide into ${this.groups} groups, ` +
          `received shape [${shape.join(', ')}]`,
      );
    }
    const gammaInit = this.zeroGamma ? tf.initializers.zeros() : tf.initializers.ones();
    this.gamma = this.addWeight('gamma', [channels], 'float32', gammaInit);
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const channels = x.shape[3];
      const perGroup = channels / this.groups;
      // Per-channel spatial means first, then means over each group's channels on the small
      // [batch, channels] result: the full tensor is only ever reduced over height and width,
      // which the wasm backend does without transposing it (a 5-d moments over the inner axes
      // would). Two passes (mean, then the mean square of the centred input) keep the variance
      // exact for inputs with a large mean.
      const groupMean = (t: tf.Tensor) => {
        const perChannel = tf.reshape(tf.mean(t, [1, 2]), [-1, this.groups, perGroup]);
        const perGroupMean = tf.mean(perChannel, 2, true);
        return tf.reshape(tf.tile(perGroupMean, [1, 1, perGroup]), [-1, 1, 1, channels]);
      };
      const centred = tf.sub(x, groupMean(x));
      const variance = groupMean(tf.square(centred));
      const scale = tf.mul(tf.rsqrt(tf.add(variance, this.epsilon)), this.gamma!.read());
      return tf.add(tf.mul(centred, scale), this.beta!.read());
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon, zeroGamma: this.zeroGamma };
  }

  override getClassName(): string {
    return GroupNormalization.className;
  }
}
