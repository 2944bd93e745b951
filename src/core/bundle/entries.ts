/** The JSON entries of a bundle: their types, and checks against the schemas in schemas/. */
import archSchema from '../../../schemas/bundle-arch.schema.json' with { type: 'json' };
import inputSchema from '../../../schemas/bundle-input.schema.json' with { type: 'json' };
import manifestSchema from '../../../schemas/bundle-manifest.schema.json' with { type: 'json' };
import optimizerSchema from '../../../schemas/bundle-optimizer.schema.json' with { type: 'json' };
import schedulerSchema from '../../../schemas/bundle-scheduler.schema.json' with { type: 'json' };
import trainingSchema from '../../../schemas/bundle-training.schema.json' with { type: 'json' };
import weightsSchema from '../../../schemas/bundle-weights.schema.json' with { type: 'json' };
import type { JsonValue } from '../validate.js';
import { validateOrThrow, type JsonSchema } from '../validate.js';
import type { EntryName } from './format.js';
import type { TensorRecord } from './tensor-table.js';

export interface ArchEntry {
  formatVersion: number;
  class: string;
  schemaId: string;
  schemaVersion: number;
  args: Record<string, unknown>;
}

/** How an 8-bit image becomes the model's float input: `stored value × scale + offset`. */
export interface PixelScaling {
  scale: number;
  offset: number;
}

/**
 * input.json, the model's input contract (format version 2 on): the dataset it was trained on,
 * a name per class, the pixel scaling used in training, and one example's layout and shape.
 */
export interface InputContract {
  /** The training dataset's name, or null when unknown. */
  dataset: string | null;
  /** One name per class, in class order, or null when the classes have no names. */
  labels: string[] | null;
  pixels: PixelScaling;
  /** The model's input order: batch, height, width, channels. */
  layout: 'NHWC';
  /** One example's [height, width, channels]. */
  shape: [number, number, number];
}

export interface TensorTableEntry {
  tensors: TensorRecord[];
}

export interface OptimizerEntry extends TensorTableEntry {
  class: string;
  args: Record<string, unknown>;
  learningRate: number;
  step: number;
}

export interface SchedulerEntry {
  class: string;
  args: Record<string, unknown>;
  state: { [key: string]: JsonValue };
}

export interface TrainingEntry {
  epoch: number;
  globalStep: number;
  metrics: Record<string, number | null>[];
  random: { seed: number; counter: number };
}

export interface ManifestEntry {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 'archbundle';
  formatVersion: number;
  archbundleVersion: string;
  tfjsVersion: string;
  entries: ManifestEntry[];
}

const SCHEMAS: Partial<Record<EntryName, JsonSchema>> = {
  'arch.json': archSchema,
  'input.json': inputSchema,
  'weights.json': weightsSchema,
  'optimizer.json': optimizerSchema,
  'scheduler.json': schedulerSchema,
  'training.json': trainingSchema,
  'manifest.json': manifestSchema,
};

/** Validates a parsed JSON entry against its published schema (BundleError-coded E_JSON_SCHEMA). */
export function checkEntrySchema<T>(name: EntryName, value: unknown): T {
  return validateOrThrow<T>(SCHEMAS[name]!, value, `bundle entry ${name}`, 'E_JSON_SCHEMA');
}
