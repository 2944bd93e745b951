/**
 * What a fuzz target is, and the probe that runs its readers on one input and judges the
 * outcome. A reader may accept an input or refuse it with an ArchbundleError whose code says
 * what is wrong with the input; anything else is a finding: another thrown value (TypeError,
 * RangeError, a plain Error, a stack overflow), a code about the environment rather than the
 * input, or a tensor left allocated after a reader that reached TF.js returned or failed.
 */
import { ArchbundleError, type ErrorCode } from '../src/core/errors.js';
import type { Span } from './mutators.js';
import type { Rng } from './rng.js';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Where the structure is (headers, pickles, JSON): havoc aims most edits there. */
  hot: Span[];
}

export interface Target {
  readonly name: string;
  readonly seeds: readonly Seed[];
  /** Longest input: the runner cuts longer ones (a few mutations compound, e.g. nested JSON). */
  readonly maxBytes: number;
  /** The input `rng` stands for; the same generator state gives the same bytes. */
  generate(rng: Rng): Uint8Array;
  /** Runs the target's readers on `bytes`, each step through `probe.stage`. */
  run(bytes: Uint8Array, probe: Probe, iteration: number): Promise<void>;
}

/** A module under fuzz/targets (or a test's) exports `createTarget`; seeds are built there. */
export type TargetFactory = () => Promise<Target>;

/**
 * Whether a code may answer a hostile input: true for codes about the input, false for codes
 * about the environment (backends, files, datasets, configs), which a reader of bytes in
 * memory has no business throwing. A Record, so a new ErrorCode must be classified here.
 */
const INPUT_CODES: Record<ErrorCode, boolean> = {
  E_INVALID_ARGS: true, E_INVALID_CONFIG: false, E_CONFIG_NOT_FOUND: false,
  E_UNKNOWN_CLASS: true, E_DUPLICATE_CLASS: false, E_SCHEMA_VERSION: true,
  E_NOT_TAR: true, E_TRUNCATED: true, E_TRAILING_DATA: true, E_ENTRY_TYPE: true, E_ENTRY_PATH: true, E_ENTRY_UNKNOWN: true,
  E_ENTRY_DUPLICATE: true, E_ENTRY_MISSING: true, E_ENTRY_ORDER: true, E_ENTRY_TOO_LARGE: true, E_CHECKSUM: true, E_FORMAT_VERSION: true,
  E_JSON_SYNTAX: true, E_JSON_DEPTH: true, E_JSON_DUPLICATE_KEY: true, E_JSON_FORBIDDEN_KEY: true, E_JSON_SCHEMA: true,
  E_TENSOR_TABLE: true, E_WEIGHTS_MISMATCH: true, E_STATE_MISMATCH: true, E_INPUT_MISMATCH: true,
  E_UNSAFE_PICKLE: true, E_PICKLE: true, E_TORCH_FORMAT: true, E_SAFETENSORS: true,
  E_EXPORT_UNSUPPORTED: false,
  E_BACKEND: false, E_DATA_NOT_FOUND: false, E_DATA_INVALID: false, E_IO: false,
  E_DIVERGED: false, E_SWEEP: false, E_QUEUE: false,
};

export type FindingKind = 'crash' | 'uncoded' | 'leak' | 'slow' | 'hang' | 'memory' | 'inconsistent' | 'worker';

/** Thrown by the probe to stop an input that produced a finding. */
export class Finding extends Error {
  constructor(readonly kind: FindingKind, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A thrown value as a finding's text: its class, message and stack, whatever it is. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return `a thrown ${typeof value}: ${String(value)}`;
  } catch {
    return `a thrown ${typeof value}`;
  }
}

export interface StageOptions<T> {
  /** How many tensors TF.js holds; given for stages that reach TF.js, to check that none leaks. */
  tensors?: () => number;
  /** Frees what a successful stage returned (models, optimizers), before the leak check. */
  dispose?(value: T): void;
}

/** Runs the steps of one input and counts their outcomes; one probe per target campaign. */
export class Probe {
  /** Whether every stage of the current input succeeded. */
  accepted = true;

  /** `codes`: stage → outcome ('ok' or a code) → inputs, counted into. */
  constructor(readonly codes: Record<string, Record<string, number>> = {}) {}

  begin(): void {
    this.accepted = true;
  }

  private count(stage: string, outcome: string): void {
    const byCode = (this.codes[stage] ??= {});
    byCode[outcome] = (byCode[outcome] ?? 0) + 1;
  }

  /** The value of `step`, or undefined when it refused the input with an input code. */
  async stage<T>(name: string, step: () => T | Promise<T>, options: StageOptions<T> = {}): Promise<T | undefined> {
    const before = options.tensors?.();
    let value: T | undefined;
    let outcome = 'ok';
    try {
      value = await step();
    } catch (error) {
      if (!(error instanceof ArchbundleError)) throw new Finding('crash', `${name} threw ${describeThrown(error)}`, { cause: error });
      if (INPUT_CODES[error.code] !== true || !error.message) {
        throw new Finding('uncoded', `${name} threw an ArchbundleError with code ${JSON.stringify(error.code)}, not a code about the input: ${describeThrown(error)}`, { cause: error });
      }
      outcome = error.code;
      this.accepted = false;
    }
    if (value !== undefined && options.dispose) {
      try {
        options.dispose(value);
      } catch (error) {
        throw new Finding('crash', `disposing what ${name} returned threw ${describeThrown(error)}`, { cause: error });
      }
    }
    if (before !== undefined) {
      const after = options.tensors!();
      if (after !== before) throw new Finding('leak', `${name} (${outcome}) left ${after - before} tensors allocated (${before} before, ${after} after)`);
    }
    this.count(name, outcome);
    return outcome === 'ok' ? value : undefined;
  }
}
