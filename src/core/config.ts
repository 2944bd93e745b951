/** The training configuration after validation: every optional property has its default. */

/** The TF.js backends archbundle knows, best first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendRequest = BackendName | 'auto';

/** The datasets read from files (IDX or CIFAR-10 binary batches). */
export const FILE_DATASET_NAMES = ['fashion-mnist', 'mnist', 'cifar10'] as const;
export type FileDatasetName = (typeof FILE_DATASET_NAMES)[number];

/**
 * Every dataset a config or `eval --data` may name: the one list in code, for types, the CLI's
 * checks and help. schemas/config.schema.json repeats it as data.dataset's enum (a published
 * file); test/config.test.ts fails when the two differ.
 */
export const DATASET_NAMES = [...FILE_DATASET_NAMES, 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

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
  /** Threads for the backend; absent: every core. --threads and ARCHBUNDLE_THREADS override it. */
  threads?: number;
  /** Absolute module paths once loaded. */
  architectures: string[];
}

/** A loaded configuration and where it came from. */
export interface LoadedConfig {
  config: TrainConfig;
  /** Absolute path of the config file, or null when built from defaults and overrides only. */
  filepath: string | null;
}
