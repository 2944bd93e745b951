/**
 * Reads a whole safetensors file held in memory. Nothing is copied: each tensor's bytes are a
 * view of `bytes`, so they live as long as the caller keeps the file. The order of the checks
 * makes a hostile length cost nothing: the cap, then the file's size, before the header is read.
 */
import { ForeignFormatError } from '../errors.js';
import { DEFAULT_SAFETENSORS_LIMITS, LENGTH_PREFIX_BYTES, type SafetensorsDtype, type SafetensorsLimits } from './format.js';
import { parseHeader } from './header.js';
import { layOut } from './layout.js';

export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  /** Row-major; `[]` is a scalar. */
  shape: readonly number[];
  /** Little-endian element bytes; from readSafetensors, a view of the file's bytes. */
  bytes: Uint8Array;
}

export interface SafetensorsContents {
  /** In offset order (the order of the data buffer). */
  tensors: SafetensorsTensor[];
  /** The header's `__metadata__`, or null when it has none. */
  metadata: Record<string, string> | null;
}

/**
 * Parses and checks `bytes` as a safetensors file. Throws ForeignFormatError: E_TRUNCATED when
 * the file ends before its length prefix, header or last tensor does; E_SAFETENSORS for every
 * other problem (docs/safetensors.md lists them), with JSON pointers into the header in `issues`.
 */
export function readSafetensors(bytes: Uint8Array, limits: Partial<SafetensorsLimits> = {}): SafetensorsContents {
  const caps: SafetensorsLimits = { ...DEFAULT_SAFETENSORS_LIMITS, ...limits };
  if (bytes.byteLength < LENGTH_PREFIX_BYTES) {
    throw new ForeignFormatError('E_TRUNCATED', `safetensors file has ${bytes.byteLength} bytes, fewer than the ${LENGTH_PREFIX_BYTES} of its header length`);
  }
  const declared = new DataView(bytes.buffer, bytes.byteOffset, LENGTH_PREFIX_BYTES).getBigUint64(0, true);
  // Number() of a huge u64 is inexact, but still above any cap a caller can give.
  if (Number(declared) > caps.maxHeaderBytes) {
    throw new ForeignFormatError('E_SAFETENSORS', `safetensors header length is ${declared} bytes, more than the cap of ${caps.maxHeaderBytes}`);
  }
  const headerLength = Number(declared);
  const available = bytes.byteLength - LENGTH_PREFIX_BYTES;
  if (headerLength > available) {
    throw new ForeignFormatError('E_TRUNCATED', `safetensors header length is ${headerLength} bytes, but only ${available} bytes follow the length`);
  }
  const dataStart = LENGTH_PREFIX_BYTES + headerLength;
  const header = parseHeader(bytes.subarray(LENGTH_PREFIX_BYTES, dataStart), caps);
  const data = bytes.subarray(dataStart);
  const tensors = layOut(header.entries, data.byteLength).map(({ name, dtype, shape, begin, end }) => ({ name, dtype, shape, bytes: data.subarray(begin, end) }));
  return { tensors, metadata: header.metadata };
}
