/**
 * Opcode-aware mutations of a pickle: the stream is cut into instructions (opcode and argument),
 * so edits keep the rest of the stream meaningful and reach the unpickler's semantic checks
 * (stack, memo, MARKs, globals, calls, persistent ids) instead of failing at the first garbled
 * argument. An opcode is replaced by another one, instructions are inserted, deleted, duplicated
 * or moved, arguments (memo indices, ints, lengths) get boundary values, and instructions are
 * borrowed from other seeds' pickles.
 */
import { OP, opcodeOf } from '../src/core/torch/pickle-opcodes.js';
import { STORAGE_TYPES } from '../src/core/torch/storage.js';
import type { Span } from './mutators.js';
import type { Rng } from './rng.js';

export interface Instruction {
  at: number;
  /** Bytes of opcode and argument. */
  length: number;
  op: number;
}

const u32At = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24;
const u64At = (b: Uint8Array, at: number) => u32At(b, at) + u32At(b, at + 4) * 2 ** 32;

/** Argument bytes after the opcode at `at`, or undefined when the stream ends inside them. */
function argumentLength(b: Uint8Array, at: number, end: number): number | undefined {
  const op = b[at]!;
  const need = (n: number) => (at + 1 + n <= end ? n : undefined);
  const fixed: Record<number, number> = {
    [OP.BININT]: 4, [OP.BININT1]: 1, [OP.BININT2]: 2, [OP.BINGET]: 1, [OP.LONG_BINGET]: 4, [OP.BINPUT]: 1,
    [OP.LONG_BINPUT]: 4, [OP.BINFLOAT]: 8, [OP.PROTO]: 1, [OP.FRAME]: 8, 0x82: 1, 0x83: 2, 0x84: 4,
  };
  if (op in fixed) return need(fixed[op]!);
  const counted = (width: number, read: (at: number) => number) => {
    if (need(width) === undefined) return undefined;
    const n = read(at + 1);
    return need(width + n);
  };
  switch (op) {
    case OP.SHORT_BINUNICODE:
    case OP.SHORT_BINBYTES:
    case OP.LONG1:
      return counted(1, (i) => b[i]!);
    case OP.BINUNICODE:
    case OP.BINBYTES:
    case OP.LONG4:
      return counted(4, (i) => u32At(b, i));
    case OP.BINUNICODE8:
    case OP.BINBYTES8:
      return counted(8, (i) => u64At(b, i));
    case OP.GLOBAL: {
      const first = b.indexOf(0x0a, at + 1);
      const second = first === -1 ? -1 : b.indexOf(0x0a, first + 1);
      return second === -1 || second >= end ? undefined : second - at;
    }
    default:
      return opcodeOf(op) ? 0 : undefined;
  }
}

/** The instructions of the pickle starting at `start`, up to and including its STOP (or the first byte that is no opcode). */
export function instructions(b: Uint8Array, start = 0, end = b.length): Instruction[] {
  const out: Instruction[] = [];
  for (let at = start; at < end; ) {
    const n = argumentLength(b, at, end);
    if (n === undefined) break;
    out.push({ at, length: 1 + n, op: b[at]! });
    at += 1 + n;
    if (b[at - 1 - n] === OP.STOP) break;
  }
  return out;
}

/** The spans of the consecutive pickles from `start` (the legacy format holds five in a row). */
export function pickleSpans(b: Uint8Array, start: number, count: number): Span[] {
  const spans: Span[] = [];
  let at = start;
  for (let k = 0; k < count; k++) {
    const list = instructions(b, at);
    const last = list[list.length - 1];
    if (!last || last.op !== OP.STOP) break;
    spans.push({ start: at, end: last.at + 1 });
    at = last.at + 1;
  }
  return spans;
}

const le = (n: number, width: number) => Uint8Array.from({ length: width }, (_, k) => Math.floor(n / 2 ** (8 * k)) & 0xff);
const text = (s: string) => new TextEncoder().encode(s);
const withLength = (op: number, width: number, data: Uint8Array) => Uint8Array.from([op, ...le(data.length, width), ...data]);

const KNOWN_OPCODES = [...Object.values(OP), 0x69, 0x6f, 0x81, 0x92, 0x82, 0x50, 0x30, 0x31, 0x32, 0x49, 0x8f, 0x91, 0x96];
const BOUNDARY = [0, 1, 2, 3, 5, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
const STRINGS = ['storage', 'cpu', 'cuda', '0', '1', 'model', 'state', 'param_groups', 'model_class', 'epoch', 'arguments', 'kwargs', 'optimizer', 'scheduler', 'weight', 'bias', 'latin1', '', '../0', 'x'.repeat(300)];
const GLOBALS = [
  ['torch._utils', '_rebuild_tensor_v2'], ['torch._utils', '_rebuild_parameter'], ['collections', 'OrderedDict'], ['collections', 'Counter'],
  ['torch', 'device'], ['_codecs', 'encode'], ...Object.keys(STORAGE_TYPES).map((name) => ['torch', name]), ['torch', 'UntypedStorage'],
  ['builtins', 'eval'], ['os', 'system'], ['__builtin__', 'set'], ['torch.nn.modules.conv', 'Conv2d'],
];

/** A plausible instruction: a zero-argument opcode, or one with a small, boundary or borrowed argument. */
function randomInstruction(rng: Rng): Uint8Array {
  switch (rng.int(9)) {
    case 0: return Uint8Array.of(OP.BININT1, rng.pick(BOUNDARY) & 0xff);
    case 1: return Uint8Array.of(OP.BININT, ...le(rng.pick(BOUNDARY) >>> 0, 4));
    case 2: return Uint8Array.of(rng.pick([OP.BINGET, OP.BINPUT]), rng.small(16));
    case 3: return Uint8Array.of(rng.pick([OP.LONG_BINGET, OP.LONG_BINPUT]), ...le(rng.pick(BOUNDARY), 4));
    case 4: {
      const s = text(rng.pick(STRINGS));
      return rng.chance(0.5) && s.length < 256 ? withLength(OP.SHORT_BINUNICODE, 1, s) : withLength(OP.BINUNICODE, 4, s);
    }
    case 5: {
      const [module, name] = rng.pick(GLOBALS);
      return text(`c${module}\n${name}\n`);
    }
    case 6: {
      const n = rng.small(9);
      return Uint8Array.of(OP.LONG1, n, ...Array.from({ length: n }, () => rng.pick([0, 0x7f, 0x80, 0xff, rng.int(256)])));
    }
    case 7: return Uint8Array.of(OP.FRAME, ...le(rng.pick(BOUNDARY), 8));
    default: return Uint8Array.of(rng.pick(KNOWN_OPCODES));
  }
}

function replace(b: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

/**
 * One opcode-aware edit of the pickle `span` of `bytes`; `donors` are other pickles to borrow
 * instructions from. Returns the new bytes (the pickle's length may change).
 */
export function mutatePickle(bytes: Uint8Array, span: Span, rng: Rng, donors: readonly Uint8Array[]): Uint8Array {
  const list = instructions(bytes, span.start, span.end);
  if (list.length === 0) return bytes;
  const target = rng.pick(list);
  const boundary = rng.chance(0.5) ? target.at : target.at + target.length;
  const piece = () => randomInstruction(rng);
  switch (rng.int(8)) {
    case 0: { // another opcode, same argument bytes: the argument is read as something else
      const out = Uint8Array.from(bytes);
      out[target.at] = rng.pick(KNOWN_OPCODES);
      return out;
    }
    case 1: return replace(bytes, boundary, 0, piece());
    case 2: return replace(bytes, target.at, target.length, new Uint8Array(0));
    case 3: return replace(bytes, boundary, 0, bytes.slice(target.at, target.at + target.length));
    case 4: { // move an instruction elsewhere in the stream
      const cut = replace(bytes, target.at, target.length, new Uint8Array(0));
      const other = rng.pick(list);
      const to = other.at > target.at ? other.at - target.length : other.at;
      return replace(cut, Math.max(span.start, to), 0, bytes.slice(target.at, target.at + target.length));
    }
    case 5: { // a boundary value in an argument: memo index, integer, length field
      if (target.length < 2) return replace(bytes, boundary, 0, piece());
      const width = Math.min(target.length - 1, rng.pick([1, 2, 4, 8]));
      const out = Uint8Array.from(bytes);
      out.set(le(rng.pick(BOUNDARY), width), target.at + 1);
      return out;
    }
    case 6: { // an instruction of another seed's pickle
      const donor = donors.length > 0 ? rng.pick(donors) : bytes;
      const theirs = instructions(donor);
      if (theirs.length === 0) return bytes;
      const borrowed = rng.pick(theirs);
      return replace(bytes, boundary, 0, donor.slice(borrowed.at, borrowed.at + borrowed.length));
    }
    default: { // a run of instructions repeated: deep nesting, many MARKs, memo reuse
      const from = rng.int(list.length);
      const to = Math.min(list.length, from + 1 + rng.small(8));
      const run = bytes.slice(list[from]!.at, list[to - 1]!.at + list[to - 1]!.length);
      const times = Math.min(1 + rng.small(300), Math.floor(65536 / Math.max(1, run.length)));
      const repeated = new Uint8Array(run.length * times);
      for (let k = 0; k < times; k++) repeated.set(run, k * run.length);
      return replace(bytes, list[to - 1]!.at + list[to - 1]!.length, 0, repeated);
    }
  }
}
