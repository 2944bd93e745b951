/**
 * Live LR schedulers: the built-in schedules attached to their specs in the core registry, plus
 * `registerScheduler` and `createScheduler`. Each steps once per epoch and keeps JSON state.
 */
import { schedulers, type ArgsOf, type SchedulerArgs } from '../../../core/registries.js';
import type { SchedulerDefinition, TrainingOptimizer, TrainingScheduler } from '../types.js';
import { CosineAnnealingLR } from './cosineannealinglr.js';
import { ExponentialLR } from './exponentiallr.js';
import { LinearWarmup } from './linearwarmup.js';
import { MultiStepLR } from './multisteplr.js';
import { ReduceLROnPlateau } from './reducelronplateau.js';
import { StepLR } from './steplr.js';

type SchedulerFactory = (args: Record<string, unknown>, optimizer: TrainingOptimizer) => TrainingScheduler;

const builtinSchedules: Record<string, SchedulerFactory> = {
  StepLR: (args, optimizer) => new StepLR('StepLR', args as never, optimizer),
  MultiStepLR: (args, optimizer) => new MultiStepLR('MultiStepLR', args as never, optimizer),
  ExponentialLR: (args, optimizer) => new ExponentialLR('ExponentialLR', args as never, optimizer),
  CosineAnnealingLR: (args, optimizer) => new CosineAnnealingLR('CosineAnnealingLR', args as never, optimizer),
  LinearWarmup: (args, optimizer) => new LinearWarmup(args as never, optimizer, createScheduler),
  ReduceLROnPlateau: (args, optimizer) => new ReduceLROnPlateau('ReduceLROnPlateau', args as never, optimizer),
};
for (const [name, create] of Object.entries(builtinSchedules)) schedulers.implement(name, create);

/** Registers a scheduler: its spec for validation, its `create` for training. */
export function registerScheduler<Args>(definition: SchedulerDefinition<Args>): void {
  const { create, ...spec } = definition;
  schedulers.define(spec, create as SchedulerFactory);
}

/** Creates a registered scheduler for `optimizer`; it sets the optimizer's rate for epoch 0 at once. */
export function createScheduler<K extends string>(name: K, args: ArgsOf<SchedulerArgs, K>, optimizer: TrainingOptimizer): TrainingScheduler {
  const create = schedulers.implementation(name) as SchedulerFactory;
  return create(schedulers.validate(name, args), optimizer);
}
