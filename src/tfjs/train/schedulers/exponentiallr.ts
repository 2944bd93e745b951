import { EpochScheduler } from './epoch-scheduler.js';
import type { ExponentialLRArgs } from '../../../core/schedulers/args.generated.js';

/** torch.optim.lr_scheduler.ExponentialLR: the rate is multiplied by gamma every epoch. */
export class ExponentialLR extends EpochScheduler<Required<ExponentialLRArgs>> {
  protected nextLr(): number {
    return this.learningRate * (this.args).gamma;
  }
}

