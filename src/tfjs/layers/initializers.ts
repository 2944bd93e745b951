import * as tf from '@tensorflow/tfjs';

type InitializerInstance = ReturnType<typeof tf.initializers.constant>;
/**
 * TF.js does not export its Initializer base class, yet its layers accept only instances of it;
 * the class is reached through a built-in initializer's prototype chain.
 */
const InitializerBase = Object.getPrototypeOf(tf.initializers.zeros().constructor) as abstract new () => InitializerInstance;

export type FanMode = 'fanIn' | 'fanOut';

/** PyTorch's `calculate_gain` for the activations archbundle offers (softsign, which it lacks, as linear). */
export function activationGain(activation: string): number {
  switch (activation) {
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
      return Math.sqrt(2 / (1 + 0.01 ** 2));
    case 'tanh':
      return 5 / 3;
    default:
      return 1;
  }
}

/**
 * PyTorch's `kaiming_normal_`: a plain (not truncated) normal with std gain / sqrt(fan).
 * TF.js's varianceScaling 'normal' truncates at two standard deviations, which shrinks the
 * spread by about 12%, so it does not reproduce the reference implementation's initialisation.
 */
export class KaimingNormal extends InitializerBase {
  static readonly className = 'ArchbundleKaimingNormal';

  constructor(private readonly config: { gain: number; mode: FanMode; seed: number }) {
    super();
  }

  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    const { fanIn, fanOut } = fans(shape);
    const fan = this.config.mode === 'fanIn' ? fanIn : fanOut;
    const std = this.config.gain / Math.sqrt(Math.max(1, fan));
    return tf.randomNormal(shape, 0, std, (dtype ?? 'float32') as 'float32', this.config.seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.config };
  }

  override getClassName(): string {
    return KaimingNormal.className;
  }
}

/** Fans as PyTorch computes them, for TF.js kernel layouts: dense [in, out], conv [kh, kw, in, out]. */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}
