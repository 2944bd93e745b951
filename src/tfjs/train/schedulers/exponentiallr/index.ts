import type { SchedulerDefinition } from '../../types.js';
import { EpochScheduler } from '../epoch-scheduler.js';
import type { ExponentialLRArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

/** torch.optim.lr_scheduler.ExponentialLR: the rate is multiplied by gamma every epoch. */
export class ExponentialLR extends EpochScheduler<Required<ExponentialLRArgs>> {
  protected nextLr(): number {
    return this.learningRate * (this.args).gamma;
  }
}

export default {
  name: 'ExponentialLR',
  schema,
  create: (args, optimizer) => new ExponentialLR('ExponentialLR', args as Required<ExponentialLRArgs>, optimizer),
} satisfies SchedulerDefinition<ExponentialLRArgs>;
