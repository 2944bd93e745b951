import type { SchedulerDefinition } from '../../types.js';
import { EpochScheduler } from '../epoch-scheduler.js';
import type { CosineAnnealingLRArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR in its closed form (PyTorch's `_get_closed_form_lr`);
 * its recursive form gives the same rates up to rounding. Past tMax the cosine rises again.
 */
export class CosineAnnealingLR extends EpochScheduler<Required<CosineAnnealingLRArgs>> {
  protected nextLr(): number {
    const { tMax, etaMin } = this.args;
    return etaMin + ((this.baseLr - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / tMax))) / 2;
  }
}

export default {
  name: 'CosineAnnealingLR',
  schema,
  create: (args, optimizer) => new CosineAnnealingLR('CosineAnnealingLR', args as Required<CosineAnnealingLRArgs>, optimizer),
} satisfies SchedulerDefinition<CosineAnnealingLRArgs>;
