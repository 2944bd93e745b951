import type { Issue } from './errors.js';
import type { JsonSchema } from './validate.js';
import type { ClassifierBuilder } from './classifier.js';

/**
 * Arguments every architecture takes (the reference implementation's Classifier), as validated with
 * defaults filled.
 */
export interface CommonArgs {
  classes: number;
  /**
   * [channels, height, width], as in the reference implementation. Model inputs are NHWC: [batch,
   * height, width, channels].
   */
  resolution: [number, number, number];
  bias: boolean;
  clamp: boolean;
  whitening: { mean: number[]; std: number[] } | null;
}

/** Arguments after validation: every property has a value, since every optional one has a default. */
export type Complete<Args> = Required<Args> & CommonArgs;

/** Upgrades arguments saved under schema version `from` to version `from + 1`. */
export interface Migration {
  from: number;
  description: string;
  migrate(args: Record<string, unknown>): Record<string, unknown>;
  /** Top-level arguments this step renames (old → new); any other removal must be listed in `dropped`. */
  renamed?: Readonly<Record<string, string>>;
  /** Top-level arguments this step removes on purpose; a removal not declared here is an error. */
  dropped?: readonly string[];
}

/**
 * An architecture is data plus one registration: its schema, the checks the schema can't
 * express, the builder, and the migrations from older schema versions.
 */
export interface ArchitectureDefinition<Args = Record<string, unknown>> {
  /** Class name, as stored in a bundle's arch.json. */
  readonly name: string;
  /** JSON Schema 2020-12 with `$id`, `x-version`, `title`/`description` everywhere. */
  readonly schema: JsonSchema;
  /** Constraints beyond the schema; each issue names a JSON pointer into the arguments. */
  check?(args: Complete<Args>): Issue[];
  /** Appends the layers to the builder; the input preprocessing is already in place. */
  build(builder: ClassifierBuilder, args: Complete<Args>): void;
  /** Ordered by `from`; a chain from any older version up to the schema's `x-version`. */
  readonly migrations?: readonly Migration[];
}

/** Identity helper that keeps the argument type of a definition. */
export function defineArchitecture<Args>(definition: ArchitectureDefinition<Args>): ArchitectureDefinition<Args> {
  return definition;
}

export function schemaVersion(schema: JsonSchema): number {
  const v = schema['x-version'];
  return typeof v === 'number' ? v : 1;
}
