/** archbundle's main entry. Importing it attaches the built-in architectures', optimizers' and schedulers' TF.js implementations to the registries. */
import './node/files/node-sha256.js';
// The wasm backend may run its threaded build (threads: --threads, ARCHBUNDLE_THREADS, config, all cores).
import './node/backend/wasm-threads.js';
export { ArchbundleError, ValidationError, RegistryError, BundleError, ForeignFormatError, EnvironmentError } from './core/errors.js';
export type { ErrorCode, Issue } from './core/errors.js';

// registries: define, get, list, validate
export { architectures, optimizers, schedulers } from './core/registries.js';
export type { ArchitectureArgs, OptimizerArgs, SchedulerArgs, ArgsOf } from './core/registries.js';
export type { Registry, Spec } from './core/registry.js';
export type { ArchitectureSpec, CommonArgs, Complete, Migration } from './core/architecture.js';
export { defineArchitecture, registerArchitecture } from './tfjs/architecture.js';
export type { ArchitectureDefinition } from './tfjs/architecture.js';
export { registerOptimizer, createOptimizer } from './tfjs/train/optimizers/index.js';
export { registerScheduler, createScheduler } from './tfjs/train/schedulers/index.js';
export type {
  OptimizerDefinition,
  SchedulerDefinition,
  TrainingOptimizer,
  TrainingScheduler,
  OptimizerState,
  NamedTensor,
  WeightGradient,
  WeightShape,
  JsonValue,
} from './tfjs/train/types.js';

// models
export { createModel } from './tfjs/classifier.js';
export type { Classifier, ClassifierBuilder, NamedWeight } from './tfjs/classifier.js';
export { resnetPreset } from '../architectures/resnet/presets.js';
export type { ResNetPreset } from '../architectures/resnet/presets.js';
export type { MLPArgs } from '../architectures/mlp/args.generated.js';
export type { LeNetArgs } from '../architectures/lenet/args.generated.js';
export type { SimpleNetArgs } from '../architectures/simplenet/args.generated.js';
export type { ResNetArgs } from '../architectures/resnet/args.generated.js';
export type { WideResNetArgs } from '../architectures/wideresnet/args.generated.js';
export { compileForInference } from './tfjs/inference/compile.js';
export type { InferenceModel } from './tfjs/inference/compile.js';
export { seedRandom } from './core/random.js';

// backends
export { selectBackend, currentBackend } from './tfjs/backend/select.js';
export type { BackendInfo, BackendName, BackendRequest, SelectOptions, ThreadsSource } from './tfjs/backend/select.js';

// training
export { trainStep } from './tfjs/train/step.js';
export type { Labels } from './tfjs/train/step.js';
export { evaluateSplit } from './tfjs/train/evaluate.js';
export type { Evaluation } from './tfjs/train/evaluate.js';
export { loadConfig } from './node/config/load.js';
export type { LoadConfigOptions } from './node/config/load.js';
export type { TrainConfig, LoadedConfig, DataConfig, CheckpointPolicy, DatasetName } from './core/config.js';
export { loadDataset } from './node/data/load.js';
export type { Dataset, Split } from './tfjs/data/types.js';
export { trainFromConfig } from './node/train/session.js';
export type { SessionEvent, SessionOptions, SessionResult } from './node/train/session.js';
export type { EpochMetrics, ProgressEvent } from './tfjs/train/loop.js';

// checkpoints
export { State } from './node/state.js';
export type { TrainingProgress } from './node/state.js';
export type { LoadOptions, TrainingFactories } from './tfjs/bundle/load-live.js';
export type { WeightsDiff } from './tfjs/bundle/weights-diff.js';
export { readBundle } from './core/bundle/read-bundle.js';
export type { BundleContents, CheckedArch, ReadOptions } from './core/bundle/read-bundle.js';
// the input contract (input.json): what a writer such as an importer gives State
export { inputContract } from './core/bundle/input-contract.js';
export type { InputContract, PixelScaling } from './core/bundle/entries.js';
export { readLabelsFile } from './node/inputs/labels-file.js';
export type { ReadLabelsOptions } from './node/inputs/labels-file.js';
export { openBundleFile } from './node/files/bundle-file.js';
export type { BundleFile, BundleSource } from './core/bundle/byte-source.js';
