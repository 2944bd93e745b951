import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, type Slots, type UpdateResult } from './slot-optimizer.js';
import type { RMSpropArgs } from '../../../core/optimizers/args.generated.js';

/** torch.optim.RMSprop (1.13): epsilon is added after the square root, unlike TF.js's RMSprop. */
export class RMSprop extends SlotOptimizer<Required<RMSpropArgs>> {
  slotNames(): string[] {
    const names = ['square_avg'];
    if (this.args.momentum > 0) names.push('momentum_buffer');
    if (this.args.centered) names.push('grad_avg');
    return names;
  }

  protected update(value: tf.Tensor, gradient: tf.Tensor, slots: Slots, _step: number, lr: number): UpdateResult {
    const { alpha, epsilon, weightDecay, momentum, centered } = this.args;
    const g = weightDecay !== 0 ? tf.add(gradient, tf.mul(value, tf.scalar(weightDecay))) : gradient;
    const zeros = () => tf.zerosLike(value);
    const squareAvg = tf.add(tf.mul(slots.square_avg ?? zeros(), tf.scalar(alpha)), tf.mul(tf.mul(g, g), tf.scalar(1 - alpha)));
    const next: Slots = { square_avg: squareAvg };
    let variance = squareAvg;
    if (centered) {
      const gradAvg = tf.add(tf.mul(slots.grad_avg ?? zeros(), tf.scalar(alpha)), tf.mul(g, tf.scalar(1 - alpha)));
      next.grad_avg = gradAvg;
      variance = tf.sub(squareAvg, tf.mul(gradAvg, gradAvg));
    }
    const avg = tf.add(tf.sqrt(variance), tf.scalar(epsilon));
    if (momentum > 0) {
      const buffer = tf.add(tf.mul(slots.momentum_buffer ?? zeros(), tf.scalar(momentum)), tf.div(g, avg));
      next.momentum_buffer = buffer;
      return { value: tf.sub(value, tf.mul(buffer, tf.scalar(lr))), slots: next };
    }
    return { value: tf.sub(value, tf.mul(tf.div(g, avg), tf.scalar(lr))), slots: next };
  }
}

