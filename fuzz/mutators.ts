/**
 * Format-blind mutations of bytes, in the manner of AFL's havoc stage: bit flips, bytes and
 * little-endian integers set to boundary values, arithmetic on integers, ranges inserted,
 * deleted, duplicated and copied, truncation, splicing with another seed, and decimal or octal
 * numbers in text rewritten (JSON lengths, tar's octal size fields). Positions favour the seed's
 * "hot" ranges (headers, pickles, JSON), where the bytes are structure rather than tensor data.
 */
import type { Rng } from './rng.js';

/** A half-open byte range [start, end). */
export interface Span {
  start: number;
  end: number;
}

export interface MutationContext {
  /** Ranges worth most of the edits; offsets into the bytes being mutated. */
  hot: readonly Span[];
  /** Other inputs to splice from. */
  donors: readonly Uint8Array[];
  /** No mutation makes an input longer than this. */
  maxBytes: number;
}

export type Mutation = (bytes: Uint8Array, rng: Rng, ctx: MutationContext) => Uint8Array;

const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x08, 0x0a, 0x10, 0x20, 0x2e, 0x30, 0x39, 0x7f, 0x80, 0x81, 0xfe, 0xff];

/** Boundary values for an integer field of `width` bytes in an input of `length` bytes. */
function interestingInts(width: number, length: number): bigint[] {
  const bits = BigInt(width * 8);
  const max = (1n << bits) - 1n;
  const values = [0n, 1n, 2n, 7n, 8n, 16n, 64n, 127n, 128n, 255n, 256n, 512n, 1024n, 4096n, 32767n, 32768n, 65535n, 65536n];
  values.push(BigInt(length), BigInt(length) - 1n, BigInt(length) + 1n, BigInt(length) * 2n);
  values.push((1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n);
  values.push(max, max - 1n, max >> 1n, (max >> 1n) + 1n); // -1, -2, the largest signed, the smallest signed
  return values.map((v) => BigInt.asUintN(Number(bits), v));
}

/** A position in [0, length), within a hot range three times out of four. */
export function position(length: number, rng: Rng, hot: readonly Span[]): number {
  const usable = hot.filter((s) => s.start < length && s.end > s.start);
  if (usable.length > 0 && rng.chance(0.75)) {
    const span = rng.pick(usable);
    return rng.range(span.start, Math.min(span.end, length) - 1);
  }
  return rng.int(length);
}

export function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at), 0);
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

function setInt(bytes: Uint8Array, at: number, width: number, value: bigint, littleEndian: boolean): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let k = 0; k < width && at + k < out.length; k++) {
    const shift = BigInt(8 * (littleEndian ? k : width - 1 - k));
    out[at + k] = Number((value >> shift) & 0xffn);
  }
  return out;
}

function readInt(bytes: Uint8Array, at: number, width: number): bigint {
  let value = 0n;
  for (let k = width - 1; k >= 0; k--) value = (value << 8n) | BigInt(bytes[at + k] ?? 0);
  return value;
}

const INTERESTING_NUMBERS = ['0', '1', '-1', '2', '7', '00', '-0', '0.5', '1e308', '-1e308', '1e-400', '255', '256', '65536', '2147483648', '4294967296', '9007199254740993', '18446744073709551616', '77777777777', '99999999999999999999'];

export const MUTATIONS: Record<string, Mutation> = {
  flipBit(bytes, rng, ctx) {
    const out = Uint8Array.from(bytes);
    const at = position(out.length, rng, ctx.hot);
    out[at]! ^= 1 << rng.int(8);
    return out;
  },
  setByte(bytes, rng, ctx) {
    const out = Uint8Array.from(bytes);
    out[position(out.length, rng, ctx.hot)] = rng.chance(0.7) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
    return out;
  },
  /** A 1, 2, 4 or 8-byte integer (little-endian, big-endian one time in five) set to a boundary value. */
  setInt(bytes, rng, ctx) {
    const width = rng.pick([1, 2, 4, 8]);
    return setInt(bytes, position(bytes.length, rng, ctx.hot), width, rng.pick(interestingInts(width, bytes.length)), !rng.chance(0.2));
  },
  /** An integer field moved by a little: a length one too long or too short. */
  addToInt(bytes, rng, ctx) {
    const width = rng.pick([1, 2, 4, 8]);
    const at = position(bytes.length, rng, ctx.hot);
    const delta = BigInt(rng.range(1, 35)) * (rng.chance(0.5) ? 1n : -1n);
    return setInt(bytes, at, width, BigInt.asUintN(width * 8, readInt(bytes, at, width) + delta), true);
  },
  insertBytes(bytes, rng, ctx) {
    const n = 1 + rng.small(64);
    const run = rng.chance(0.5) ? new Uint8Array(n).fill(rng.pick(INTERESTING_BYTES)) : Uint8Array.from({ length: n }, () => rng.int(256));
    return splice(bytes, position(bytes.length + 1, rng, ctx.hot), 0, run);
  },
  deleteRange(bytes, rng, ctx) {
    const at = position(bytes.length, rng, ctx.hot);
    return splice(bytes, at, Math.min(bytes.length - at, 1 + rng.small(256)));
  },
  duplicateRange(bytes, rng, ctx) {
    const at = position(bytes.length, rng, ctx.hot);
    const n = Math.min(bytes.length - at, 1 + rng.small(512));
    return splice(bytes, at, 0, bytes.slice(at, at + n));
  },
  /** A range overwritten by a copy of another range of the same input (a header over a header). */
  copyRange(bytes, rng, ctx) {
    const from = rng.int(bytes.length);
    const to = position(bytes.length, rng, ctx.hot);
    const n = Math.min(bytes.length - from, bytes.length - to, 1 + rng.small(512));
    const out = Uint8Array.from(bytes);
    out.set(bytes.subarray(from, from + n), to);
    return out;
  },
  truncate(bytes, rng, ctx) {
    return bytes.slice(0, position(bytes.length, rng, ctx.hot));
  },
  /** The head of this input and the tail of another, cut at random points. */
  splice(bytes, rng, ctx) {
    if (ctx.donors.length === 0) return bytes;
    const donor = rng.pick(ctx.donors);
    const cut = position(bytes.length, rng, ctx.hot);
    const from = rng.int(donor.length);
    return splice(bytes, cut, bytes.length - cut, donor.subarray(from, from + ctx.maxBytes - cut));
  },
  /** A run of ASCII digits replaced by another number: JSON values and lengths, tar's octal fields. */
  rewriteNumber(bytes, rng, ctx) {
    const start = position(bytes.length, rng, ctx.hot);
    let at = start;
    while (at < bytes.length && !isDigit(bytes[at]!)) at++;
    if (at >= bytes.length) return bytes;
    let end = at;
    while (end < bytes.length && isDigit(bytes[end]!)) end++;
    return splice(bytes, at, end - at, new TextEncoder().encode(rng.pick(INTERESTING_NUMBERS)));
  },
};

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

const NAMES = Object.keys(MUTATIONS);

/** One to eight stacked mutations; empty inputs grow a few bytes first. */
export function havoc(bytes: Uint8Array, rng: Rng, ctx: MutationContext): Uint8Array {
  let out = bytes.length === 0 ? Uint8Array.from({ length: 8 }, () => rng.int(256)) : bytes;
  const rounds = 1 << rng.int(4);
  for (let i = 0; i < rounds && out.length > 0; i++) {
    out = MUTATIONS[rng.pick(NAMES)]!(out, rng, ctx);
    if (out.length > ctx.maxBytes) out = out.subarray(0, ctx.maxBytes);
  }
  return out;
}
