import { EpochScheduler } from './epoch-scheduler.js';
import type { MultiStepLRArgs } from '../../../core/schedulers/args.generated.js';

/** torch.optim.lr_scheduler.MultiStepLR: the rate is multiplied by gamma at each milestone epoch (twice if listed twice). */
export class MultiStepLR extends EpochScheduler<Required<MultiStepLRArgs>> {
  protected nextLr(): number {
    const { milestones, gamma } = this.args;
    const count = milestones.filter((m) => m === this.lastEpoch).length;
    return count === 0 ? this.learningRate : this.learningRate * gamma ** count;
  }
}

