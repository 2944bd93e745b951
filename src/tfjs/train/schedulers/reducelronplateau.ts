import { ValidationError } from '../../../core/errors.js';
import { escapePointer, type JsonSchema } from '../../../core/validate.js';
import { EpochScheduler, type SchedulerState } from './epoch-scheduler.js';
import type { ReduceLROnPlateauArgs } from '../../../core/schedulers/args.generated.js';

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau: after more than `patience` epochs without the
 * metric improving by `threshold`, the rate is multiplied by `factor` (not below minLr), then
 * `cooldown` epochs pass before bad epochs count again. `step` needs the metric named by `metric`.
 * The best value is null until the first epoch (PyTorch's ±inf, which JSON cannot hold).
 */
export class ReduceLROnPlateau extends EpochScheduler<Required<ReduceLROnPlateauArgs>> {
  private best: number | null = null;
  private badEpochs = 0;
  private cooldownCounter = 0;

  private get plateau(): Required<ReduceLROnPlateauArgs> {
    return this.args;
  }

  override step(metrics?: Record<string, number>): void {
    const { metric } = this.plateau;
    const current = metrics?.[metric];
    if (typeof current !== 'number') {
      throw new ValidationError('E_INVALID_ARGS', 'ReduceLROnPlateau step metrics', [
        { pointer: `/${escapePointer(metric)}`, keyword: 'required', message: `must be a number (the monitored metric), received ${JSON.stringify(current)}` },
      ]);
    }
    super.step(metrics);
  }

  protected nextLr(metrics?: Record<string, number>): number {
    const { metric, factor, patience, cooldown, minLr, eps } = this.plateau;
    const current = metrics![metric]!;
    if (this.isBetter(current)) {
      this.best = current;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs <= patience) return this.learningRate;
    this.cooldownCounter = cooldown;
    this.badEpochs = 0;
    const reduced = Math.max(this.learningRate * factor, minLr);
    return this.learningRate - reduced > eps ? reduced : this.learningRate;
  }

  /** Non-finite values never improve (PyTorch would store ±inf as best, which JSON cannot hold). */
  private isBetter(value: number): boolean {
    if (!Number.isFinite(value)) return false;
    if (this.best === null) return true;
    const { mode, threshold, thresholdMode } = this.plateau;
    const best = this.best;
    if (mode === 'min') return thresholdMode === 'rel' ? value < best * (1 - threshold) : value < best - threshold;
    return thresholdMode === 'rel' ? value > best * (threshold + 1) : value > best + threshold;
  }

  protected override extraStateSchema(): Record<string, JsonSchema> {
    return {
      best: { type: ['number', 'null'] },
      badEpochs: { type: 'integer', minimum: 0 },
      cooldownCounter: { type: 'integer', minimum: 0 },
    };
  }

  protected override extraState(): SchedulerState {
    return { best: this.best, badEpochs: this.badEpochs, cooldownCounter: this.cooldownCounter };
  }

  protected override setExtraState(state: SchedulerState): void {
    this.best = state.best as number | null;
    this.badEpochs = state.badEpochs as number;
    this.cooldownCounter = state.cooldownCounter as number;
  }
}

