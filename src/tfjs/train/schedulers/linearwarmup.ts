import { BundleError } from '../../../core/errors.js';
import type { JsonSchema } from '../../../core/validate.js';
import { schedulers } from '../../../core/registries.js';
import type { TrainingOptimizer, TrainingScheduler } from '../types.js';
import { EpochScheduler, type SchedulerState } from './epoch-scheduler.js';
import type { LinearWarmupArgs } from '../../../core/schedulers/args.generated.js';

/**
 * Linear warmup from startFactor * base rate to the base rate over warmupEpochs, then the inner
 * scheduler, started at the base rate: PyTorch's
 * SequentialLR([LinearLR(start_factor, 1.0, total_iters=warmupEpochs), inner], milestones=[warmupEpochs]).
 * Without an inner scheduler the rate stays at the base rate after the warmup.
 */
export class LinearWarmup extends EpochScheduler<Required<LinearWarmupArgs>> {
  private readonly inner: TrainingScheduler | null;

  /** @param createScheduler makes the inner scheduler (the registry's factory, passed in to keep imports one-way) */
  constructor(
    args: Required<LinearWarmupArgs>,
    optimizer: TrainingOptimizer,
    createScheduler: (name: string, args: Record<string, unknown>, optimizer: TrainingOptimizer) => TrainingScheduler,
  ) {
    const nested = args.scheduler && {
      class: args.scheduler.class,
      args: schedulers.validate(args.scheduler.class, args.scheduler.args ?? {}),
    };
    super('LinearWarmup', { ...args, scheduler: nested }, optimizer);
    // The inner scheduler starts from the base rate, not from the warmup's first rate.
    optimizer.learningRate = this.baseLr;
    this.inner = nested ? createScheduler(nested.class, nested.args, optimizer) : null;
    optimizer.learningRate = this.learningRate;
  }

  private get warmup(): Required<LinearWarmupArgs> {
    return this.args;
  }

  protected override initialLr(): number {
    return this.baseLr * this.warmup.startFactor;
  }

  protected nextLr(metrics?: Record<string, number>): number {
    const { warmupEpochs, startFactor } = this.warmup;
    if (this.lastEpoch < warmupEpochs) return this.baseLr * (startFactor + ((1 - startFactor) * this.lastEpoch) / warmupEpochs);
    if (!this.inner) return this.baseLr;
    if (this.lastEpoch > warmupEpochs) this.inner.step(metrics);
    return this.inner.learningRate;
  }

  protected override extraStateSchema(): Record<string, JsonSchema> {
    return { inner: { type: ['object', 'null'] } };
  }

  protected override extraState(): SchedulerState {
    return { inner: this.inner ? this.inner.getState() : null };
  }

  protected override setExtraState(state: SchedulerState): void {
    const inner = state.inner as SchedulerState | null;
    if (this.inner && inner) {
      try {
        this.inner.setState(inner);
      } catch (error) {
        if (!(error instanceof BundleError)) throw error;
        throw new BundleError(error.code, error.message, error.issues.map((i) => ({ ...i, pointer: `/inner${i.pointer}` })));
      }
    } else if (this.inner || inner) {
      const expected = this.inner ? `the state of ${this.inner.className}` : 'null (no inner scheduler)';
      throw new BundleError('E_STATE_MISMATCH', `LinearWarmup scheduler state: /inner must be ${expected}, received ${JSON.stringify(inner)}`, [
        { pointer: '/inner', keyword: 'inner', message: `must be ${expected}` },
      ]);
    }
  }
}

