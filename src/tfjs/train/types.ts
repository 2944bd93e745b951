/**
 * Contracts between training (optimizers, schedulers, the loop) and checkpoints. Optimizers
 * and schedulers are declared by JSON Schema and registered like architectures.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Spec } from '../../core/registry.js';
import type { JsonValue } from '../../core/validate.js';

export type { JsonValue };

/** A tensor with a stable name, e.g. an optimizer slot "conv1/kernel/m". */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Everything an optimizer needs to resume exactly. Tensors are named "<weight name>/<slot>". */
export interface OptimizerState {
  /** Number of updates applied so far. */
  step: number;
  tensors: NamedTensor[];
}

/** A weight to update: its stable name (see Classifier.namedWeights), variable and gradient. */
export interface WeightGradient {
  name: string;
  variable: tf.Variable;
  gradient: tf.Tensor;
}

/** A weight's stable name and shape, to check optimizer state against a model. */
export interface WeightShape {
  name: string;
  shape: readonly number[];
}

export interface TrainingOptimizer {
  readonly className: string;
  /** Complete validated arguments (what a bundle stores). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Current learning rate; schedulers set it. Starts at args.learningRate. */
  learningRate: number;
  applyGradients(gradients: WeightGradient[]): void;
  /** Copies of the state (the caller disposes them). */
  getState(): OptimizerState;
  /**
   * Replaces the state with copies of `state`'s tensors (the caller keeps ownership). Throws
   * BundleError E_STATE_MISMATCH naming every misfit slot; with `weights` (the model's trainable
   * weights) it also refuses slots of unknown weights or of the wrong shape.
   */
  setState(state: OptimizerState, weights?: readonly WeightShape[]): void;
  dispose(): void;
}


export interface TrainingScheduler {
  readonly className: string;
  /** Complete validated arguments (a composed scheduler holds its inner one's complete arguments). */
  readonly args: Readonly<Record<string, unknown>>;
  /** The learning rate this scheduler has set for the current epoch. */
  readonly learningRate: number;
  /** Advances one epoch (reduce-on-plateau reads `metrics`) and sets the optimizer's learning rate. */
  step(metrics?: Record<string, number>): void;
  /** JSON-serialisable state (epoch counter, best metric, ...). */
  getState(): { [key: string]: JsonValue };
  /** Restores state; throws BundleError E_STATE_MISMATCH when it does not fit. */
  setState(state: { [key: string]: JsonValue }): void;
}

/** An optimizer as a user registers it: its spec plus the factory of live optimizers. */
export interface OptimizerDefinition<Args = Record<string, unknown>> extends Spec<Args> {
  create(args: Args): TrainingOptimizer;
}

/** A scheduler as a user registers it: its spec plus the factory of live schedulers. */
export interface SchedulerDefinition<Args = Record<string, unknown>> extends Spec<Args> {
  create(args: Args, optimizer: TrainingOptimizer): TrainingScheduler;
}
