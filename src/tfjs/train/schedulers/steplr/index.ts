import type { SchedulerDefinition } from '../../types.js';
import { EpochScheduler } from '../epoch-scheduler.js';
import type { StepLRArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

/** torch.optim.lr_scheduler.StepLR: the rate is multiplied by gamma every stepSize epochs. */
export class StepLR extends EpochScheduler<Required<StepLRArgs>> {
  protected nextLr(): number {
    const { stepSize, gamma } = this.args;
    return this.lastEpoch % stepSize === 0 ? this.learningRate * gamma : this.learningRate;
  }
}

export default {
  name: 'StepLR',
  schema,
  create: (args, optimizer) => new StepLR('StepLR', args as Required<StepLRArgs>, optimizer),
} satisfies SchedulerDefinition<StepLRArgs>;
