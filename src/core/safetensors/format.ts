/**
 * The safetensors format's fixed facts, as the safetensors crate (the Rust crate
 * `safetensors`) defines them: the 8-byte length prefix, the header cap, the dtypes and their
 * widths, and the caps our reader adds. docs/safetensors.md is the prose version of this file.
 */

/** The header length is one little-endian u64 at the start of the file. */
export const LENGTH_PREFIX_BYTES = 8;

/** The crate refuses headers larger than this (its MAX_HEADER_SIZE), reading and writing. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Writers pad the header with spaces to this multiple, so the data buffer starts 8-byte aligned. */
export const HEADER_ALIGNMENT = 8;

/** The header key that holds the free-form string → string metadata instead of a tensor. */
export const METADATA_KEY = '__metadata__';

/**
 * Bits per element of every dtype the crate knows. Widths are in bits because of the
 * sub-byte float formats (F4, F6_*): a tensor of those is valid only when it fills whole bytes.
 */
export const DTYPE_BITS = Object.freeze({
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
});
export type SafetensorsDtype = keyof typeof DTYPE_BITS;

export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BITS, value);
}

/** Caps the reader applies; a caller may lower or raise any of them. */
export interface SafetensorsLimits {
  /** Largest header (the JSON, padding included), in bytes. */
  maxHeaderBytes: number;
  /** Deepest nesting of the header JSON. A valid header nests 3 deep; this only bounds the parser. */
  maxJsonDepth: number;
  /** Most tensors in one file. */
  maxTensors: number;
  /** Most dimensions in one shape. */
  maxRank: number;
}

export const DEFAULT_SAFETENSORS_LIMITS: Readonly<SafetensorsLimits> = Object.freeze({
  maxHeaderBytes: MAX_HEADER_BYTES,
  maxJsonDepth: 8,
  maxTensors: 1_000_000,
  maxRank: 32,
});

/**
 * The byte length of a tensor of `dtype` and `shape` (non-negative safe integers), or why there
 * is none: too many bytes to address, or a sub-byte dtype that does not end on a byte boundary.
 */
export function tensorByteLength(dtype: SafetensorsDtype, shape: readonly number[]): number | 'overflow' | 'partial-byte' {
  // A zero dimension makes the tensor empty whatever the others are, as in the crate.
  if (shape.includes(0)) return 0;
  let bits = DTYPE_BITS[dtype];
  for (const dim of shape) {
    bits *= dim;
    if (!Number.isSafeInteger(bits)) return 'overflow';
  }
  return bits % 8 === 0 ? bits / 8 : 'partial-byte';
}

/** A string JSON can carry to every reader: lone surrogates are refused by the crate (serde_json). */
export function isWellFormed(text: string): boolean {
  return !/\p{Surrogate}/u.test(text);
}
