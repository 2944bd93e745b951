import type { SchedulerDefinition } from '../../types.js';
import { EpochScheduler } from '../epoch-scheduler.js';
import type { MultiStepLRArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

/** torch.optim.lr_scheduler.MultiStepLR: the rate is multiplied by gamma at each milestone epoch (twice if listed twice). */
export class MultiStepLR extends EpochScheduler<Required<MultiStepLRArgs>> {
  protected nextLr(): number {
    const { milestones, gamma } = this.args;
    const count = milestones.filter((m) => m === this.lastEpoch).length;
    return count === 0 ? this.learningRate : this.learningRate * gamma ** count;
  }
}

export default {
  name: 'MultiStepLR',
  schema,
  create: (args, optimizer) => new MultiStepLR('MultiStepLR', args as Required<MultiStepLRArgs>, optimizer),
} satisfies SchedulerDefinition<MultiStepLRArgs>;
