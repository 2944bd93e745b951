/** The training configuration after validation: every optional property has its default. */
import type { BackendRequest } from '../backend/select.js';
import type { DatasetName } from '../data/catalog.js';

export type { DatasetName };

export interface ClassAndArgs {
  class: string;
  args: Record<string, unknown>;
}

export interface SyntheticOptions {
  train: number;
  test: number;
  classes: number;
  resolution: [number, number, number];
  noise: number;
}

export interface AugmentationOptions {
  flip: boolean;
  cropPadding: number;
}

export interface DataConfig {
  dataset: DatasetName;
  dataDir: string | null;
  download: boolean;
  batchSize: number;
  evalBatchSize: number;
  validationSplit: number;
  trainLimit: number | null;
  testLimit: number | null;
  augmentation: AugmentationOptions;
  synthetic: SyntheticOptions;
}

export type MetricName = 'loss' | 'accuracy' | 'val_loss' | 'val_accuracy';

export interface CheckpointPolicy {
  everyEpochs: number;
  keepLast: number;
  keepBest: { metric: MetricName; mode: 'min' | 'max' } | null;
}

export interface TrainConfig {
  model: ClassAndArgs;
  data: DataConfig;
  optimizer: ClassAndArgs;
  scheduler: ClassAndArgs | null;
  epochs: number;
  seed: number;
  /** Absolute once loaded (resolved against the config file's folder). */
  output: string;
  checkpoint: CheckpointPolicy;
  backend: BackendRequest;
  /** Absolute module paths once loaded. */
  architectures: string[];
}

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  config: TrainConfig;
  /** Absolute path of the config file, or null when built from defaults and overrides only. */
  filepath: string | null;
}
