import * as tf from '@tensorflow/tfjs';
import { nextSeed } from '../../core/random.js';
import { single } from './elementwise.js';

/**
 * Dropout whose masks come from archbundle's seeded stream: a fresh seed per training call, so
 * masks differ between steps yet a run (and a resumed run) is repeatable. With `spatial`, whole
 * channels are dropped (PyTorch's Dropout2d) for NHWC inputs.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'ArchbundleSeededDropout';
  readonly rate: number;
  readonly spatial: boolean;

  constructor(config: { name: string; rate: number; spatial?: boolean }) {
    super({ name: config.name });
    this.rate = config.rate;
    this.spatial = config.spatial ?? false;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = single(inputs);
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    return tf.tidy(() => {
      const noiseShape = this.spatial && x.rank === 4 ? [x.shape[0]!, 1, 1, x.shape[3]!] : undefined;
      return tf.dropout(x, this.rate, noiseShape, nextSeed());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, spatial: this.spatial };
  }

  override getClassName(): string {
    return SeededDropout.className;
  }
}
