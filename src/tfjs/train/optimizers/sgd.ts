import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, type Slots, type UpdateResult } from './slot-optimizer.js';
import type { SGDArgs } from '../../../core/optimizers/args.generated.js';

/** torch.optim.SGD (1.13): weight decay, momentum buffer (a copy of the first gradient), Nesterov. */
export class SGD extends SlotOptimizer<Required<SGDArgs>> {
  slotNames(): string[] {
    return this.args.momentum > 0 ? ['momentum_buffer'] : [];
  }

  protected update(value: tf.Tensor, gradient: tf.Tensor, slots: Slots, _step: number, lr: number): UpdateResult {
    const { momentum, dampening, nesterov, weightDecay } = this.args;
    let d = weightDecay !== 0 ? tf.add(gradient, tf.mul(value, tf.scalar(weightDecay))) : gradient;
    const next: Slots = {};
    if (momentum !== 0) {
      const old = slots.momentum_buffer;
      const fresh = dampening === 0 ? d : tf.mul(d, tf.scalar(1 - dampening)); // d * 1 is d: skip the op
      const buffer = old ? tf.add(tf.mul(old, tf.scalar(momentum)), fresh) : tf.clone(d);
      next.momentum_buffer = buffer;
      d = nesterov ? tf.add(d, tf.mul(buffer, tf.scalar(momentum))) : buffer;
    }
    return { value: tf.sub(value, tf.mul(d, tf.scalar(lr))), slots: next };
  }
}

