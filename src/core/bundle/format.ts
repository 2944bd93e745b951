/**
 * The bundle format's fixed facts: entry names and order, versions, alignment, dtypes and the
 * default caps a reader applies. docs/bundle-format.md is the prose version of this file.
 */

export const FORMAT_ID = 'archbundle';
/** The format version this code writes, and the newest it reads. */
export const FORMAT_VERSION = 2;
/** The oldest format version this code reads: every version from this one to FORMAT_VERSION loads. */
export const OLDEST_FORMAT_VERSION = 1;

/** Every entry a bundle may hold, in the only order allowed. */
export const ENTRY_ORDER = [
  'arch.json',
  'input.json',
  'weights.json',
  'weights.bin',
  'optimizer.json',
  'optimizer.bin',
  'scheduler.json',
  'training.json',
  'manifest.json',
] as const;
export type EntryName = (typeof ENTRY_ORDER)[number];

export const REQUIRED_ENTRIES: readonly EntryName[] = ['arch.json', 'weights.json', 'weights.bin', 'training.json', 'manifest.json'];

/**
 * Entries that later format versions added, with the version that added each: a bundle of an
 * older version holding one is refused (E_ENTRY_UNKNOWN), as a reader of that version would.
 */
export const ENTRY_SINCE: Partial<Record<EntryName, number>> = { 'input.json': 2 };

export function isEntryName(name: string): name is EntryName {
  return (ENTRY_ORDER as readonly string[]).includes(name);
}

/** Each tensor starts at a multiple of this many bytes inside its .bin entry (padding is zero). */
export const TENSOR_ALIGNMENT = 64;

/** Bytes per element of each stored dtype; `bool` is one byte holding 0 or 1. */
export const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1 } as const;
export type StoredDtype = keyof typeof DTYPE_BYTES;

export function isStoredDtype(value: unknown): value is StoredDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

export function alignUp(offset: number, alignment = TENSOR_ALIGNMENT): number {
  return Math.ceil(offset / alignment) * alignment;
}

/** The tar header fields every entry gets, so that the same state gives the same bytes. */
export const TAR_HEADER_FIXED = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0) } as const;

/** Limits a reader enforces; a caller may lower or raise them. */
export interface ReadLimits {
  /** Largest JSON entry, in bytes. */
  maxJsonBytes: number;
  /** Deepest nesting of arrays and objects in a JSON entry. */
  maxJsonDepth: number;
  /** Largest .bin entry, in bytes. */
  maxBinBytes: number;
  /** Most tensors in one table. */
  maxTensors: number;
  /** Most dimensions in one tensor shape. */
  maxRank: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxJsonBytes: 16 * 1024 * 1024,
  maxJsonDepth: 64,
  maxBinBytes: 64 * 1024 * 1024 * 1024,
  maxTensors: 100_000,
  maxRank: 8,
};
