/**
 * archbundle/train: the TF.js layer's building blocks for specialists who write their own
 * training loop, optimizer, scheduler or layers. Importing it attaches the built-in implementations.
 */
export { Classifier, ClassifierBuilder, instantiate } from './tfjs/classifier.js';
export { SlotOptimizer } from './tfjs/train/optimizers/slot-optimizer.js';
export type { Slots, UpdateResult } from './tfjs/train/optimizers/slot-optimizer.js';
export { EpochScheduler } from './tfjs/train/schedulers/epoch-scheduler.js';
export type { SchedulerState } from './tfjs/train/schedulers/epoch-scheduler.js';
export { evaluateBatch, crossEntropy } from './tfjs/train/step.js';
export type { BatchEvaluation } from './tfjs/train/step.js';
export { runEpochs } from './tfjs/train/loop.js';
export type { LoopState, TrainBatch } from './tfjs/train/loop.js';
export { prepareData, makeBatch } from './tfjs/data/batches.js';
export { predictLogits } from './tfjs/inference/predict-logits.js';
export { onnxModelBytes } from './tfjs/export/onnx/model-bytes.js';
export { openEngine } from './node/engine/open-engine.js';
export type { EngineRequest, ImageBatch, InferenceEngine, OpenedEngine } from './node/engine/index.js';
export { syntheticDataset } from './tfjs/data/synthetic.js';
export { GroupNormalization } from './tfjs/layers/group-normalization.js';
export { groupCount, type NormalizationKind } from './core/group-count.js';
export { RESNET_PRESETS } from '../architectures/resnet/presets.js';
export { resolveConfig } from './node/config/load.js';
export { CONFIG_SCHEMA_PATH } from './node/config/schema.js';
