import { BundleError, ValidationError } from '../../../core/errors.js';
import { validateOrThrow, type JsonSchema } from '../../../core/validate.js';
import type { JsonValue, TrainingOptimizer, TrainingScheduler } from '../types.js';

export type SchedulerState = { [key: string]: JsonValue };

/**
 * The base of archbundle's LR schedulers, with PyTorch's convention: creating one sets the
 * learning rate of epoch 0, and each `step()` (once per epoch, after it) advances `lastEpoch`
 * and sets the next epoch's rate on the optimizer. The state is plain JSON: the epoch counter,
 * the base and current rates (doubles round-trip exactly through JSON), plus what a subclass
 * adds, so a restored scheduler continues with the very same numbers.
 */
export abstract class EpochScheduler<Args extends object = Record<string, unknown>> implements TrainingScheduler {
  lastEpoch = 0;
  /** The optimizer's learning rate when the scheduler was created (PyTorch's initial_lr). */
  baseLr: number;
  learningRate: number;

  constructor(
    readonly className: string,
    readonly args: Readonly<Args>,
    protected readonly optimizer: TrainingOptimizer,
  ) {
    this.baseLr = optimizer.learningRate;
    this.learningRate = this.initialLr();
    optimizer.learningRate = this.learningRate;
  }

  /** The rate of epoch 0. */
  protected initialLr(): number {
    return this.baseLr;
  }

  /** The rate of epoch `this.lastEpoch` (already advanced), given the previous rate `this.learningRate`. */
  protected abstract nextLr(metrics?: Record<string, number>): number;

  /** JSON Schemas of the state properties a subclass adds (all required). */
  protected extraStateSchema(): Record<string, JsonSchema> {
    return {};
  }

  protected extraState(): SchedulerState {
    return {};
  }

  protected setExtraState(_state: SchedulerState): void {}

  step(metrics?: Record<string, number>): void {
    this.lastEpoch += 1;
    this.learningRate = this.nextLr(metrics);
    this.optimizer.learningRate = this.learningRate;
  }

  getState(): SchedulerState {
    return { lastEpoch: this.lastEpoch, baseLr: this.baseLr, learningRate: this.learningRate, ...this.extraState() };
  }

  setState(state: SchedulerState): void {
    const extra = this.extraStateSchema();
    const schema = {
      $id: `urn:archbundle:scheduler-state:${this.className}`,
      type: 'object',
      properties: {
        lastEpoch: { type: 'integer', minimum: 0 },
        baseLr: { type: 'number', minimum: 0 },
        learningRate: { type: 'number', minimum: 0 },
        ...extra,
      },
      required: ['lastEpoch', 'baseLr', 'learningRate', ...Object.keys(extra)],
      additionalProperties: false,
    };
    try {
      validateOrThrow(schema, state, `${this.className} scheduler state`, 'E_STATE_MISMATCH');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new BundleError('E_STATE_MISMATCH', error.message, error.issues);
    }
    this.setExtraState(state);
    this.lastEpoch = state.lastEpoch as number;
    this.baseLr = state.baseLr as number;
    this.learningRate = state.learningRate as number;
    this.optimizer.learningRate = this.learningRate;
  }
}
