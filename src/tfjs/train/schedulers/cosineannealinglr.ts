import { EpochScheduler } from './epoch-scheduler.js';
import type { CosineAnnealingLRArgs } from '../../../core/schedulers/args.generated.js';

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

