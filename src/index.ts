/** archbundle's public API. Importing it registers the built-in architectures. */
import '../architectures/index.js';

export { ArchbundleError, ValidationError, RegistryError, BundleError, EnvironmentError } from './core/errors.js';
export type { ErrorCode, Issue } from './core/errors.js';
export { defineArchitecture } from './core/architecture.js';
export type { ArchitectureDefinition, CommonArgs, Complete, Migration } from './core/architecture.js';
export {
  registerArchitecture,
  listArchitectures,
  getArchitecture,
  validateArchitectureArgs,
} from './core/architectures.js';
export type { ArchitectureArgs } from './core/architectures.js';
export { Classifier, ClassifierBuilder, createModel, instantiate } from './tfjs/classifier.js';
export type { NamedWeight, LayerOrBlock } from './tfjs/classifier.js';
export { selectBackend, currentBackend } from './tfjs/backend/select.js';
export type { BackendInfo, BackendName, BackendRequest } from './tfjs/backend/select.js';
export { seedRandom } from './core/random.js';
export { createOptimizer, registerOptimizer, listOptimizers, getOptimizer, validateOptimizerArgs } from './tfjs/train/optimizers/index.js';
export type { OptimizerArgs, OptimizerArgsOf, AnyOptimizer } from './tfjs/train/optimizers/index.js';
export { SlotOptimizer } from './tfjs/train/optimizers/slot-optimizer.js';
export type { Slots, UpdateResult } from './tfjs/train/optimizers/slot-optimizer.js';
export { createScheduler, registerScheduler, listSchedulers, getScheduler, validateSchedulerArgs } from './tfjs/train/schedulers/index.js';
export type { SchedulerArgs, SchedulerArgsOf, AnyScheduler } from './tfjs/train/schedulers/index.js';
export { EpochScheduler } from './tfjs/train/schedulers/epoch-scheduler.js';
export type { SchedulerState } from './tfjs/train/schedulers/epoch-scheduler.js';
export { trainStep, evaluateBatch, crossEntropy } from './tfjs/train/step.js';
export type { Labels, BatchEvaluation } from './tfjs/train/step.js';
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
} from './tfjs/train/types.js';
export { resnetPreset, RESNET_PRESETS, type ResNetPreset } from '../architectures/index.js';
export { GroupNormalization } from './tfjs/layers/group-normalization.js';
export { groupCount, type NormalizationKind } from './core/group-count.js';
export type { MLPArgs } from '../architectures/mlp/args.generated.js';
export type { SimpleNetArgs } from '../architectures/simplenet/args.generated.js';
export type { ResNetArgs } from '../architectures/resnet/args.generated.js';
export type { WideResNetArgs } from '../architectures/wideresnet/args.generated.js';
export type { LeNetArgs } from '../architectures/lenet/args.generated.js';
export { loadConfig, resolveConfig } from './node/config/load.js';
export type { LoadConfigOptions } from './node/config/load.js';
export { CONFIG_SCHEMA_PATH } from './node/config/schema.js';
export type { TrainConfig, LoadedConfig, DataConfig, CheckpointPolicy, DatasetName } from './core/config-types.js';
export { loadDataset } from './node/data/load.js';
export { syntheticDataset } from './tfjs/data/synthetic.js';
export { prepareData, makeBatch } from './tfjs/data/batches.js';
export type { Dataset, Split } from './tfjs/data/types.js';
export { runEpochs } from './tfjs/train/loop.js';
export type { EpochMetrics, LoopState, ProgressEvent, TrainBatch } from './tfjs/train/loop.js';
export { trainFromConfig } from './node/train/session.js';
export type { SessionEvent, SessionOptions, SessionResult } from './node/train/session.js';
export { evaluateSplit } from './tfjs/train/evaluate.js';
export type { Evaluation } from './tfjs/train/evaluate.js';
export { State } from './node/state.js';
export type { TrainingProgress } from './node/state.js';
export { readBundle } from './core/bundle/read-bundle.js';
export type { BundleContents, CheckedArch, TensorReceiver, TensorSink, ReadOptions } from './core/bundle/read-bundle.js';
export { openBundleFile } from './node/files/bundle-file.js';
export type { LoadOptions, TrainingFactories } from './tfjs/bundle/load-live.js';
export type { WeightsDiff } from './tfjs/bundle/weights-diff.js';
export type { BundleFile, BundleSource } from './core/bundle/byte-source.js';
export { DEFAULT_LIMITS, FORMAT_VERSION } from './core/bundle/format.js';
export type { ReadLimits } from './core/bundle/format.js';
export { compileForInference } from './tfjs/inference/compile.js';
export type { InferenceModel } from './tfjs/inference/compile.js';
