import { gunzipSync } from 'node:zlib';
import { EnvironmentError } from '../../core/errors.js';

/** An IDX array of unsigned bytes (the only type MNIST-like files use). */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** Gunzips when the bytes start with the gzip magic, so `.gz` and plain files read alike. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new EnvironmentError('E_DATA_INVALID', `${file}: gzip data is corrupt (${(error as Error).message})`, [], {
      cause: error,
    });
  }
}

/**
 * Parses an IDX file (gzipped or not): magic 0x0000, type byte, dimension count, big-endian
 * uint32 dimensions, then exactly the product of the dimensions in bytes.
 */
export function parseIdx(input: Uint8Array, file: string): IdxArray {
  const bytes = maybeGunzip(input, file);
  const invalid = (what: string) => new EnvironmentError('E_DATA_INVALID', `${file}: not an IDX file: ${what}`);
  if (bytes.length < 4) throw invalid(`expected at least a 4-byte header, received ${bytes.length} bytes`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw invalid(`expected magic bytes 00 00, received ${hex(bytes[0]!)} ${hex(bytes[1]!)}`);
  }
  if (bytes[2] !== UBYTE) throw invalid(`expected data type 0x08 (unsigned byte), received ${hex(bytes[2]!)}`);
  const rank = bytes[3]!;
  if (rank < 1) throw invalid('expected at least one dimension, received 0');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw invalid(`header declares ${rank} dimensions (${headerLength} bytes), file has ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (expected !== actual) {
    throw invalid(`dimensions [${dims.join(', ')}] need ${expected} data bytes, file has ${actual}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
