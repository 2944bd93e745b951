/**
 * A tensor's values, read from its strided view in C (row-major) order. Storages are always
 * little-endian (the readers refuse big-endian files). Floating-point dtypes widen or narrow to
 * float32 as torch's `.float()` does (float16 and bfloat16 exactly, NaN payloads kept; float64
 * rounded to nearest); integers come back exact, as numbers when safe or as bigints.
 */
import { ForeignFormatError } from '../errors.js';
import { ELEMENT_BYTES } from './storage.js';
import type { TorchDtype, TorchTensor } from './values.js';

const FLOATS: readonly TorchDtype[] = ['float64', 'float32', 'float16', 'bfloat16'];
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** One float32 seen as its bits, to turn half and bfloat16 bits into a number. */
const SCRATCH_BITS = new Uint32Array(1);
const SCRATCH_FLOAT = new Float32Array(SCRATCH_BITS.buffer);

function bad(what: string): never {
  throw new ForeignFormatError('E_TORCH_FORMAT', what);
}

/** The values as float32; refuses integer and bool tensors. */
export function tensorFloat32(t: TorchTensor): Float32Array {
  if (!FLOATS.includes(t.storage.dtype)) bad(`tensorFloat32 needs a floating-point tensor (${FLOATS.join(', ')}), received ${t.storage.dtype}; use tensorNumbers or tensorBigInts`);
  const count = checkView(t);
  const out = new Float32Array(count);
  if (count === 0) return out;
  const bits = new Uint32Array(out.buffer);
  const { view, dtype } = dataOf(t);
  if (dtype === 'float32' && LITTLE_ENDIAN_HOST && isContiguous(t)) {
    const start = t.storage.bytes.byteOffset + t.storageOffset * 4;
    new Uint8Array(out.buffer).set(new Uint8Array(t.storage.bytes.buffer, start, count * 4));
    return out;
  }
  forEachElement(t, (element, i) => {
    switch (dtype) {
      case 'float32':
        // Through the bits, so that NaN payloads survive.
        bits[i] = view.getUint32(element * 4, true);
        break;
      case 'float64':
        out[i] = view.getFloat64(element * 8, true);
        break;
      case 'bfloat16':
        bits[i] = view.getUint16(element * 2, true) << 16;
        break;
      default:
        bits[i] = halfToFloatBits(view.getUint16(element * 2, true));
    }
  });
  return out;
}

/** The values as numbers, exactly: floats as float64, integers when they are safe (else E_TORCH_FORMAT; see tensorBigInts), bools as 0 and 1. */
export function tensorNumbers(t: TorchTensor): number[] {
  const count = checkView(t);
  const out = new Array<number>(count);
  const { view, dtype } = dataOf(t);
  forEachElement(t, (element, i) => {
    const value = readElement(view, dtype, element);
    if (typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        bad(`tensorNumbers: element ${i} of an ${dtype} tensor is ${value}, which a number cannot hold exactly; use tensorBigInts`);
      }
      out[i] = Number(value);
    } else {
      out[i] = value;
    }
  });
  return out;
}

/** The values of an integer or bool tensor as bigints, exactly. */
export function tensorBigInts(t: TorchTensor): bigint[] {
  if (FLOATS.includes(t.storage.dtype)) bad(`tensorBigInts needs an integer or bool tensor, received ${t.storage.dtype}; use tensorFloat32 or tensorNumbers`);
  const count = checkView(t);
  const out = new Array<bigint>(count);
  const { view, dtype } = dataOf(t);
  forEachElement(t, (element, i) => {
    const value = readElement(view, dtype, element);
    out[i] = typeof value === 'bigint' ? value : BigInt(value);
  });
  return out;
}

/**
 * The one value of a one-element tensor as a Python int: a number when safe, else a bigint. For
 * counters such as BatchNorm's num_batches_tracked (int64) and Adam's step (float32 in recent torch,
 * accepted when its value is a whole number).
 */
export function tensorInt(t: TorchTensor): number | bigint {
  const count = checkView(t);
  if (count !== 1) bad(`tensorInt needs a tensor of one element, received shape [${t.shape.join(', ')}] (${count} elements)`);
  const { view, dtype } = dataOf(t);
  const value = readElement(view, dtype, t.storageOffset);
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (!Number.isInteger(value)) bad(`tensorInt needs a whole number, received ${value} (${dtype})`);
  return value;
}

// --- reading ---------------------------------------------------------------------------------------

function dataOf(t: TorchTensor): { view: DataView; dtype: TorchDtype } {
  const bytes = t.storage.bytes;
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), dtype: t.storage.dtype };
}

function readElement(view: DataView, dtype: TorchDtype, element: number): number | bigint {
  switch (dtype) {
    case 'float64':
      return view.getFloat64(element * 8, true);
    case 'float32':
      return view.getFloat32(element * 4, true);
    case 'float16':
      SCRATCH_BITS[0] = halfToFloatBits(view.getUint16(element * 2, true));
      return SCRATCH_FLOAT[0]!;
    case 'bfloat16':
      SCRATCH_BITS[0] = view.getUint16(element * 2, true) << 16;
      return SCRATCH_FLOAT[0]!;
    case 'int64':
      return view.getBigInt64(element * 8, true);
    case 'int32':
      return view.getInt32(element * 4, true);
    case 'int16':
      return view.getInt16(element * 2, true);
    case 'int8':
      return view.getInt8(element);
    case 'uint8':
      return view.getUint8(element);
    case 'bool':
      return view.getUint8(element) === 0 ? 0 : 1;
  }
}

/** IEEE half → single, bit for bit: subnormals normalised, infinities and NaN payloads carried over. */
export function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  let e = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}

// --- the strided view --------------------------------------------------------------------------------

/**
 * The element count, after checking the view fits its storage's bytes. The readers have checked
 * this already; a tensor built by hand gets the same guarantee, so no read can go out of range.
 */
function checkView(t: TorchTensor): number {
  const { shape, stride, storageOffset, storage } = t;
  const ok = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  if (shape.length !== stride.length || !shape.every(ok) || !stride.every(ok) || !ok(storageOffset)) {
    bad(`tensor view is malformed: shape [${shape.join(', ')}], strides [${stride.join(', ')}], offset ${storageOffset}`);
  }
  const available = Math.floor(storage.bytes.length / ELEMENT_BYTES[storage.dtype]);
  let count = 1;
  let last = storageOffset;
  for (let d = 0; d < shape.length; d++) {
    count *= shape[d]!;
    if (shape[d]! > 0) last += (shape[d]! - 1) * stride[d]!;
  }
  if (count === 0) return 0;
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(last) || last >= available) {
    bad(`tensor view of shape [${shape.join(', ')}], strides [${stride.join(', ')}] at offset ${storageOffset} reaches past its storage ${storage.key} (${available} elements)`);
  }
  return count;
}

function isContiguous(t: TorchTensor): boolean {
  let expected = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    if (t.shape[d] !== 1 && t.stride[d] !== expected) return false;
    expected *= t.shape[d]!;
  }
  return true;
}

/** Calls `visit(storage element, output index)` for every element, in C order. */
function forEachElement(t: TorchTensor, visit: (element: number, i: number) => void): void {
  const { shape, stride } = t;
  const rank = shape.length;
  let count = 1;
  for (const n of shape) count *= n;
  if (count === 0) return;
  const index = new Array<number>(rank).fill(0);
  let element = t.storageOffset;
  for (let i = 0; i < count; i++) {
    visit(element, i);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      element += stride[d]!;
      if (index[d]! < shape[d]!) break;
      element -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}
