import { EpochScheduler } from './epoch-scheduler.js';
import type { StepLRArgs } from '../../../core/schedulers/args.generated.js';

/** torch.optim.lr_scheduler.StepLR: the rate is multiplied by gamma every stepSize epochs. */
export class StepLR extends EpochScheduler<Required<StepLRArgs>> {
  protected nextLr(): number {
    const { stepSize, gamma } = this.args;
    return this.lastEpoch % stepSize === 0 ? this.learningRate * gamma : this.learningRate;
  }
}

