/**
 * The LR scheduler registry: an explicit list of built-ins plus `registerScheduler` for your own.
 * Each steps once per epoch and keeps JSON state (see EpochScheduler).
 */
import cosineAnnealingLR from './cosineannealinglr/index.js';
import exponentialLR from './exponentiallr/index.js';
import linearWarmup from './linearwarmup/index.js';
import multiStepLR from './multisteplr/index.js';
import reduceLROnPlateau from './reducelronplateau/index.js';
import { registerScheduler, type AnyScheduler } from './registry.js';
import stepLR from './steplr/index.js';

export {
  createScheduler,
  getScheduler,
  listSchedulers,
  registerScheduler,
  schedulerRegistry,
  validateSchedulerArgs,
  type AnyScheduler,
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
