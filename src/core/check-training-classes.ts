/**
 * A bundle's optimizer and scheduler checked without TF.js: registered classes with valid
 * arguments, as `State.load` requires them (restoring their state needs TF.js, so --deep).
 */
import type { BundleContents } from './bundle/read-bundle.js';
import { optimizers, schedulers } from './registries.js';

export function checkTrainingClasses(contents: Pick<BundleContents, 'optimizer' | 'scheduler'>): void {
  if (contents.optimizer) optimizers.validate(contents.optimizer.class, contents.optimizer.args);
  if (contents.scheduler) schedulers.validate(contents.scheduler.class, contents.scheduler.args);
}
