/**
 * A bundle's optimizer and scheduler checked without TF.js: built-in classes with valid
 * arguments, as `State.load` requires them (restoring their state needs TF.js, so --deep).
 */
import type { BundleContents } from './bundle/read-bundle.js';
import { builtinOptimizerSpec, checkOptimizerArgs } from '../tfjs/train/optimizers/specs.js';
import { validateSchedulerArgs } from '../tfjs/train/schedulers/index.js';

export function checkTrainingClasses(contents: Pick<BundleContents, 'optimizer' | 'scheduler'>): void {
  if (contents.optimizer) checkOptimizerArgs(builtinOptimizerSpec(contents.optimizer.class), contents.optimizer.args);
  if (contents.scheduler) validateSchedulerArgs(contents.scheduler.class, contents.scheduler.args);
}
