/**
 * Hand-made safetensors files for the tests, built byte by byte so that they can be wrong in
 * exactly one way, and a decoder of tensor bytes into values (to compare with what torch read).
 */
import assert from 'node:assert/strict';
import { ArchbundleError, ForeignFormatError, readSafetensors, type SafetensorsLimits } from '../../src/core/index.js';

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * A file whose header is `header` (a string taken as is, so it may be malformed JSON, or a value
 * to stringify), followed by `data` (bytes, or that many bytes counting up). The length prefix is
 * the header's true length unless `length` says otherwise.
 */
export function craft(header: string | object, data: Uint8Array | number = 0, length?: bigint): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const body = typeof data === 'number' ? Uint8Array.from({ length: data }, (_, i) => i & 0xff) : data;
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(text.byteLength));
  return concat([prefix, text, body]);
}

/** One tensor entry of a header, for building header objects tersely. */
export function entry(dtype: string, shape: unknown, offsets: unknown): Record<string, unknown> {
  return { dtype, shape, data_offsets: offsets };
}

interface Expected {
  /** An issue with this JSON pointer must be among the error's issues. */
  pointer?: string;
  /** ... and with this keyword. */
  keyword?: string;
  /** The error's message must match. */
  message?: RegExp;
  /** The strict JSON parser's own code, kept as the cause. */
  cause?: string;
}

/** Reads `bytes`, which must fail with ForeignFormatError `code`; returns the error. */
export function expectRefused(bytes: Uint8Array, code: 'E_SAFETENSORS' | 'E_TRUNCATED', expected: Expected = {}, limits?: Partial<SafetensorsLimits>): ForeignFormatError {
  let error: unknown;
  try {
    readSafetensors(bytes, limits);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ForeignFormatError, `a ForeignFormatError, received ${error instanceof Error ? error.stack : String(error)}`);
  assert.equal(error.code, code, error.message);
  if (expected.message) assert.match(error.message, expected.message);
  if (expected.pointer !== undefined || expected.keyword !== undefined) {
    const hit = error.issues.find((i) => (expected.pointer === undefined || i.pointer === expected.pointer) && (expected.keyword === undefined || i.keyword === expected.keyword));
    assert.ok(hit, `an issue at ${expected.pointer} (${expected.keyword}), received ${JSON.stringify(error.issues)}`);
  }
  if (expected.cause) {
    assert.ok(error.cause instanceof ArchbundleError, 'the strict parser error is kept as the cause');
    assert.equal(error.cause.code, expected.cause);
  }
  return error;
}

/** The values of little-endian tensor bytes: numbers, booleans, and int64 as decimal strings. */
export function decodeValues(dtype: string, bytes: Uint8Array): (number | string | boolean)[] {
  const copy = bytes.slice(); // own, aligned buffer: views into a file need not be aligned
  const view = new DataView(copy.buffer);
  const count = (size: number) => Array.from({ length: copy.byteLength / size }, (_, i) => i * size);
  switch (dtype) {
    case 'F64': return count(8).map((at) => view.getFloat64(at, true));
    case 'F32': return count(4).map((at) => view.getFloat32(at, true));
    case 'F16': return count(2).map((at) => halfToNumber(view.getUint16(at, true)));
    case 'BF16': return count(2).map((at) => new Float32Array(new Uint32Array([view.getUint16(at, true) << 16]).buffer)[0]!);
    case 'I64': return count(8).map((at) => view.getBigInt64(at, true).toString());
    case 'I32': return count(4).map((at) => view.getInt32(at, true));
    case 'I16': return count(2).map((at) => view.getInt16(at, true));
    case 'I8': return count(1).map((at) => view.getInt8(at));
    case 'U8': return count(1).map((at) => view.getUint8(at));
    case 'BOOL': return count(1).map((at) => view.getUint8(at) !== 0);
    default: throw new Error(`no decoder for ${dtype}`);
  }
}

/** IEEE 754 binary16, decoded by hand (Node 20 has no Float16Array). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
