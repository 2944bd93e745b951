/** What the portable core knows of an architecture: its arguments, their checks and migrations. */
import type { Issue } from './errors.js';
import type { Spec } from './registry.js';
import type { TorchMapping } from './torch/mapping.js';
import type { JsonSchema } from './validate.js';

/** Arguments every architecture takes (the reference implementation's Classifier), validated with defaults filled. */
export interface CommonArgs {
  classes: number;
  /** [channels, height, width], as in the reference implementation. Model inputs are NHWC: [batch, height, width, channels]. */
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
  /**
   * Layers this step renames, given the arguments it returned: old layer name → new. Stored
   * weights (`<layer>/<weight>`) and optimizer slots (`<layer>/<weight>/<slot>`) follow; all
   * renames of one step apply at once, and those of a chain compose.
   */
  weights?(args: Record<string, unknown>): Record<string, string>;
}

/**
 * An architecture's spec: class name, JSON Schema (with `x-version`), the checks the schema
 * can't express, the migrations from older schema versions (ordered by `from`), and its PyTorch mapping.
 */
export interface ArchitectureSpec<Args = Record<string, unknown>> extends Spec<Complete<Args>> {
  readonly migrations?: readonly Migration[];
  /** Its PyTorch counterpart (architectures/<name>/torch.json): module kinds, and the reference implementation's attributes. */
  readonly torch?: TorchMapping;
}

export function schemaVersion(schema: JsonSchema): number {
  const v = schema['x-version'];
  return typeof v === 'number' ? v : 1;
}

/** Checks every architecture shares: whitening statistics have one value per input channel. */
export function commonArchitectureIssues(args: Record<string, unknown>): Issue[] {
  const { resolution, whitening } = args as unknown as CommonArgs;
  const issues: Issue[] = [];
  if (!whitening) return issues;
  const channels = resolution[0];
  for (const key of ['mean', 'std'] as const) {
    const length = whitening[key].length;
    if (length !== channels) {
      issues.push({ pointer: `/whitening/${key}`, keyword: 'per-channel', message: `must have one value per input channel (${channels}), received ${length}` });
    }
  }
  return issues;
}
