import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, type Slots, type UpdateResult } from './slot-optimizer.js';

export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  amsgrad: boolean;
}

/**
 * torch.optim.Adam and AdamW (1.13, single-tensor path). Adam adds weightDecay * weight to the
 * gradient (L2); AdamW (`decoupled`) first shrinks the weight by lr * weightDecay. The bias
 * corrections are computed in double precision from the step count, as PyTorch does, so they
 * need no state of their own.
 */
export class AdamFamily<Args extends AdamHyper> extends SlotOptimizer<Args> {
  constructor(className: string, args: Args, private readonly decoupled: boolean) {
    super(className, args);
  }

  slotNames(): string[] {
    return this.args.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'];
  }

  protected update(value: tf.Tensor, gradient: tf.Tensor, slots: Slots, step: number, lr: number): UpdateResult {
    const { beta1, beta2, epsilon, weightDecay, amsgrad } = this.args;
    let weight = value;
    let g = gradient;
    if (weightDecay !== 0) {
      if (this.decoupled) weight = tf.mul(weight, tf.scalar(1 - lr * weightDecay));
      else g = tf.add(g, tf.mul(weight, tf.scalar(weightDecay)));
    }
    const m0 = slots.exp_avg ?? tf.zerosLike(value);
    const v0 = slots.exp_avg_sq ?? tf.zerosLike(value);
    const m = tf.add(tf.mul(m0, tf.scalar(beta1)), tf.mul(g, tf.scalar(1 - beta1)));
    const v = tf.add(tf.mul(v0, tf.scalar(beta2)), tf.mul(tf.mul(g, g), tf.scalar(1 - beta2)));
    const next: Slots = { exp_avg: m, exp_avg_sq: v };
    let second = v;
    if (amsgrad) {
      second = tf.maximum(slots.max_exp_avg_sq ?? tf.zerosLike(value), v);
      next.max_exp_avg_sq = second;
    }
    const stepSize = lr / (1 - beta1 ** step);
    const correction2Sqrt = Math.sqrt(1 - beta2 ** step);
    const denom = tf.add(tf.div(tf.sqrt(second), tf.scalar(correction2Sqrt)), tf.scalar(epsilon));
    return { value: tf.sub(weight, tf.mul(tf.div(m, denom), tf.scalar(stepSize))), slots: next };
  }
}
