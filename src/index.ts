/** archbundle's public API. Importing it registers the built-in architectures. */
import '../architectures/index.js';

export { ArchbundleError, ValidationError, RegistryError, BundleError, EnvironmentError } from './errors.js';
export type { ErrorCode, Issue } from './errors.js';
export { defineArchitecture } from './architecture.js';
export type { ArchitectureDefinition, CommonArgs, Complete, Migration } from './architecture.js';
export {
  registerArchitecture,
  listArchitectures,
  getArchitecture,
  validateArchitectureArgs,
} from './architectures.js';
export type { ArchitectureArgs } from './architectures.js';
export { Classifier, ClassifierBuilder, createModel, instantiate } from './classifier.js';
export type { NamedWeight, LayerOrBlock } from './classifier.js';
export { selectBackend, currentBackend } from './backend/select.js';
export type { BackendInfo, BackendName, BackendRequest } from './backend/select.js';
export { seedRandom } from './random.js';
export { createOptimizer, registerOptimizer, listOptimizers, getOptimizer, validateOptimizerArgs } from './train/optimizers/index.js';
export type { OptimizerArgs, OptimizerArgsOf, AnyOptimizer } from './train/optimizers/index.js';
export { SlotOptimizer } from './train/optimizers/slot-optimizer.js';
export type { Slots, UpdateResult } from './train/optimizers/slot-optimizer.js';
export { createScheduler, registerScheduler, listSchedulers, getScheduler, validateSchedulerArgs } from './train/schedulers/index.js';
export type { SchedulerArgs, SchedulerArgsOf, AnyScheduler } from './train/schedulers/index.js';
export { EpochScheduler } from './train/schedulers/epoch-scheduler.js';
export type { SchedulerState } from './train/schedulers/epoch-scheduler.js';
export { trainStep, evaluateBatch, crossEntropy } from './train/step.js';
export type { Labels, BatchEvaluation } from './train/step.js';
export type {
  TrainingOptimizer,
  TrainingScheduler,
  OptimizerDefinition,
  SchedulerDefinition,
  OptimizerState,
  NamedTensor,
  WeightGradient,
  WeightShape,
  JsonValue,
} from './train/types.js';
export { resnetPreset, RESNET_PRESETS, type ResNetPreset } from '../architectures/index.js';
export { GroupNormalization } from './layers/group-normalization.js';
export { groupCount, type NormalizationKind } from './layers/group-count.js';
export type { MLPArgs } from '../architectures/mlp/args.generated.js';
export type { SimpleNetArgs } from '../architectures/simplenet/args.generated.js';
export type { ResNetArgs } from '../architectures/resnet/args.generated.js';
export type { WideResNetArgs } from '../architectures/wideresnet/args.generated.js';
export type { LeNetArgs } from '../architectures/lenet/args.generated.js';
