/**
 * The LR scheduler registry: an explicit list of built-ins plus `registerScheduler` for your own.
 * Each steps once per epoch and keeps JSON state (see EpochScheduler).
 */
import type { CosineAnnealingLRArgs } from './cosineannealinglr/args.generated.js';
import cosineAnnealingLR from './cosineannealinglr/index.js';
import type { ExponentialLRArgs } from './exponentiallr/args.generated.js';
import exponentialLR from './exponentiallr/index.js';
import type { LinearWarmupArgs } from './linearwarmup/args.generated.js';
import linearWarmup from './linearwarmup/index.js';
import type { MultiStepLRArgs } from './multisteplr/args.generated.js';
import multiStepLR from './multisteplr/index.js';
import type { ReduceLROnPlateauArgs } from './reducelronplateau/args.generated.js';
import reduceLROnPlateau from './reducelronplateau/index.js';
import { registerScheduler, type AnyScheduler } from './registry.js';
import type { StepLRArgs } from './steplr/args.generated.js';
import stepLR from './steplr/index.js';

declare module './registry.js' {
  interface SchedulerArgs {
    StepLR: StepLRArgs;
    MultiStepLR: MultiStepLRArgs;
    ExponentialLR: ExponentialLRArgs;
    CosineAnnealingLR: CosineAnnealingLRArgs;
    LinearWarmup: LinearWarmupArgs;
    ReduceLROnPlateau: ReduceLROnPlateauArgs;
  }
}

export {
  createScheduler,
  getScheduler,
  listSchedulers,
  registerScheduler,
  schedulerRegistry,
  validateSchedulerArgs,
  type AnyScheduler,
  type SchedulerArgs,
  type SchedulerArgsOf,
} from './registry.js';

export const builtinSchedulers: readonly AnyScheduler[] = [
  stepLR,
  multiStepLR,
  exponentialLR,
  cosineAnnealingLR,
  linearWarmup,
  reduceLROnPlateau,
];
for (const definition of builtinSchedulers) registerScheduler(definition);
