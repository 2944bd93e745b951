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
export { loadConfig, resolveConfig } from './config/load.js';
export type { LoadConfigOptions } from './config/load.js';
export { CONFIG_SCHEMA_PATH } from './config/schema.js';
export type { TrainConfig, LoadedConfig, DataConfig, CheckpointPolicy, DatasetName } from './config/types.js';
export { loadDataset } from './data/load.js';
export { syntheticDataset } from './data/synthetic.js';
export { prepareData, makeBatch } from './data/batches.js';
export type { Dataset, Split } from './data/types.js';
export { runEpochs } from './train/loop.js';
export type { EpochMetrics, LoopState, ProgressEvent, TrainBatch } from './train/loop.js';
export { trainFromConfig } from './train/session.js';
export type { SessionEvent, SessionOptions, SessionResult } from './train/session.js';
export { evaluateSplit } from './train/evaluate.js';
export type { Evaluation } from './train/evaluate.js';
export { State } from './state.js';
export type { TrainingProgress } from './state.js';
export { readBundle } from './bundle/read-bundle.js';
export type { BundleContents, CheckedArch, TensorReceiver, TensorSink, ReadOptions } from './bundle/read-bundle.js';
export { openBundleFile } from './bundle/bundle-file.js';
export type { LoadOptions, TrainingFactories } from './bundle/load-live.js';
export type { WeightsDiff } from './bundle/weights-diff.js';
export type { BundleFile, BundleSource } from './bundle/byte-source.js';
export { DEFAULT_LIMITS, FORMAT_VERSION } from './bundle/format.js';
export type { ReadLimits } from './bundle/format.js';
export { compileForInference } from './inference/compile.js';
export type { InferenceModel } from './inference/compile.js';
