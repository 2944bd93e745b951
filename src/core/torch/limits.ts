/**
 * Caps the PyTorch reader enforces on a file it must treat as hostile. Each bounds memory or time
 * that a small file could otherwise make large; the defaults are far above any real checkpoint.
 * Nothing is allocated from a length field before it is checked against the bytes left, and each
 * opcode allocates at most a few small objects, so memory grows linearly with the pickle: a
 * crafted pickle of 1-byte opcodes can still cost on the order of 100 bytes per byte, which is
 * what `maxPickleBytes` bounds (lower it for untrusted files in a browser).
 */
import { ArchbundleError } from '../errors.js';

export interface TorchLimits {
  /** Largest file, in bytes. */
  maxFileBytes: number;
  /** Largest single pickle stream (data.pkl, or the legacy format's main pickle), in bytes. */
  maxPickleBytes: number;
  /** Most memo entries in one pickle; a memo index at or beyond it is refused. */
  maxMemoEntries: number;
  /** Most values on the unpickler's stack at once. */
  maxStackItems: number;
  /** Deepest nesting of containers (lists, dicts, tuples), and of open MARKs. */
  maxDepth: number;
  /** Most values a full walk of the result would visit (shared values counted each time they are reached). */
  maxValueNodes: number;
  /** Longest string or bytes value, in bytes. */
  maxStringBytes: number;
  /** Most distinct storages in one file. */
  maxStorages: number;
  /** Most records in a zip archive. */
  maxZipRecords: number;
  /** Most dimensions of one tensor. */
  maxRank: number;
  /**
   * Most elements of a tensor that holds more elements than its storage (stride-0 expansions,
   * overlapping strides): materialising such a view allocates more than the file holds.
   */
  maxBroadcastElements: number;
}

export const DEFAULT_TORCH_LIMITS: TorchLimits = {
  maxFileBytes: 64 * 1024 * 1024 * 1024,
  maxPickleBytes: 256 * 1024 * 1024,
  maxMemoEntries: 4_000_000,
  maxStackItems: 4_000_000,
  maxDepth: 200,
  maxValueNodes: 20_000_000,
  maxStringBytes: 64 * 1024 * 1024,
  maxStorages: 1_000_000,
  maxZipRecords: 1_000_010,
  maxRank: 64,
  maxBroadcastElements: 16 * 1024 * 1024,
};

export function torchLimits(overrides: Partial<TorchLimits> = {}): TorchLimits {
  const limits = { ...DEFAULT_TORCH_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof TorchLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_TORCH_LIMITS)) throw new ArchbundleError('E_INVALID_ARGS', `unknown PyTorch reader limit "${key}"; expected one of ${Object.keys(DEFAULT_TORCH_LIMITS).join(', ')}`);
    if (typeof value !== 'number' || !(value >= 0)) throw new ArchbundleError('E_INVALID_ARGS', `PyTorch reader limit ${key} must be a number ≥ 0, received ${String(value)}`);
    limits[key] = value;
  }
  return limits;
}
