/**
 * A strict reader of NumPy's .npy files (format versions 1.0, 2.0 and 3.0), for the two dtypes a
 * model input can be: little-endian float32 (`<f4`) and uint8 (`|u1`), in C order. Anything
 * else is refused with E_DATA_INVALID saying what was found, never guessed at.
 *
 * Layout: the magic `\x93NUMPY`, major and minor version bytes, the header length (uint16 in
 * version 1, uint32 in 2 and 3, little-endian), the header (a Python dict literal with exactly
 * the keys descr, fortran_order and shape, padded with spaces and ended by a newline; latin-1 in
 * versions 1 and 2, UTF-8 in 3), then exactly shape product × item size data bytes.
 */
import { EnvironmentError } from '../../core/errors.js';

export const NPY_MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** The dtypes accepted, by their .npy descr. */
export const NPY_DTYPES = { '<f4': 'float32', '|u1': 'uint8' } as const;
export type NpyDescr = keyof typeof NPY_DTYPES;

export interface NpyHeader {
  version: 1 | 2 | 3;
  descr: NpyDescr;
  shape: number[];
  /** Where the data starts: after the magic, version, header length and header. */
  dataOffset: number;
}

export type NpyArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'uint8'; shape: number[]; data: Uint8Array };

/** Largest dimension accepted: beyond it no file here could hold the data anyway. */
const MAX_DIMENSION = 2 ** 31;
const MAX_RANK = 32;
/** Longest header accepted; real headers are under 200 bytes (numpy's own reader stops at 10,000 by default). */
const MAX_HEADER_BYTES = 65536;

export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const header = parseNpyHeader(bytes, name);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const itemSize = header.descr === '<f4' ? 4 : 1;
  const expected = count * itemSize;
  const actual = bytes.length - header.dataOffset;
  if (actual < expected) {
    throw invalid(name, `truncated: shape (${header.shape.join(', ')}) of ${NPY_DTYPES[header.descr]} needs ${expected} data bytes, the file has ${actual}`);
  }
  if (actual > expected) {
    throw invalid(name, `${actual - expected} bytes after the data: shape (${header.shape.join(', ')}) of ${NPY_DTYPES[header.descr]} needs ${expected} data bytes, the file has ${actual}`);
  }
  const body = bytes.subarray(header.dataOffset);
  if (header.descr === '|u1') return { dtype: 'uint8', shape: header.shape, data: Uint8Array.from(body) };
  // read little-endian explicitly, and from any offset (the data need not be 4-byte aligned here)
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i += 1) data[i] = view.getFloat32(4 * i, true);
  return { dtype: 'float32', shape: header.shape, data };
}

export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  if (bytes.length < 10) throw invalid(name, `truncated: ${bytes.length} bytes, fewer than the 10 of the smallest header`);
  if (!NPY_MAGIC.every((b, i) => bytes[i] === b)) {
    throw invalid(name, `expected the magic \\x93NUMPY, received ${hexBytes(bytes.subarray(0, 6))}`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) throw invalid(name, `format version ${major}.${minor}; expected 1.0, 2.0 or 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) throw invalid(name, `truncated: ${bytes.length} bytes, fewer than the ${start} before a version ${major}.0 header`);
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > MAX_HEADER_BYTES) throw invalid(name, `the header declares ${length} bytes, more than the ${MAX_HEADER_BYTES} accepted`);
  if (bytes.length < start + length) {
    throw invalid(name, `truncated: the header declares ${length} bytes, the file has ${bytes.length - start} after the header length`);
  }
  const text = decodeHeader(bytes.subarray(start, start + length), major, name);
  const fields = parseHeaderDict(text, name);
  return { version: major as 1 | 2 | 3, ...fields, dataOffset: start + length };
}

function decodeHeader(bytes: Uint8Array, major: number, name: string): string {
  if (major !== 3) return String.fromCharCode(...bytes); // latin-1: one character per byte
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(name, 'the version 3.0 header is not valid UTF-8');
  }
}

/** Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` plus padding and newline. */
function parseHeaderDict(text: string, name: string): Pick<NpyHeader, 'descr' | 'shape'> {
  if (!text.endsWith('\n')) throw invalid(name, 'the header does not end with a newline');
  const reader = new LiteralReader(text.slice(0, -1).trimEnd(), name);
  const fields = reader.dict();
  reader.end();
  for (const key of Object.keys(fields)) {
    if (!['descr', 'fortran_order', 'shape'].includes(key)) throw invalid(name, `unexpected header key '${key}'; expected only descr, fortran_order and shape`);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!Object.hasOwn(fields, key)) throw invalid(name, `the header lacks the key '${key}'`);
  }
  const { descr, fortran_order: fortranOrder, shape } = fields as Record<string, unknown>;
  if (typeof descr !== 'string') throw invalid(name, `descr must be a dtype string such as '<f4', received ${describe(descr)} (structured dtypes are not supported)`);
  if (!Object.hasOwn(NPY_DTYPES, descr)) {
    throw invalid(name, `unsupported dtype '${descr}'; expected '<f4' (float32, little-endian) or '|u1' (uint8)`);
  }
  if (typeof fortranOrder !== 'boolean') throw invalid(name, `fortran_order must be True or False, received ${describe(fortranOrder)}`);
  if (fortranOrder) throw invalid(name, 'fortran_order is True (column-major data); expected False: save a C-ordered array (numpy.ascontiguousarray)');
  if (!Array.isArray(shape)) throw invalid(name, `shape must be a tuple of integers, received ${describe(shape)}`);
  return { descr: descr as NpyDescr, shape };
}

type Literal = string | boolean | number[];

/** The small part of Python's literal syntax a .npy header uses: a dict of strings, booleans and int tuples. */
class LiteralReader {
  private at = 0;

  constructor(private readonly text: string, private readonly name: string) {}

  dict(): Record<string, Literal> {
    const out: Record<string, Literal> = Object.create(null);
    this.expect('{');
    while (!this.take('}')) {
      const key = this.string();
      if (Object.hasOwn(out, key)) this.fail(`the key '${key}' appears twice`);
      this.expect(':');
      out[key] = this.value();
      if (!this.take(',')) {
        this.expect('}');
        break;
      }
    }
    return out;
  }

  end(): void {
    this.space();
    if (this.at !== this.text.length) this.fail(`unexpected text after the dict: ${JSON.stringify(this.text.slice(this.at, this.at + 20))}`);
  }

  private value(): Literal {
    this.space();
    const c = this.text[this.at];
    if (c === "'" || c === '"') return this.string();
    if (c === '(') return this.tuple();
    for (const [word, value] of [['True', true], ['False', false]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.fail(`expected a string, True, False or a tuple at offset ${this.at}, received ${JSON.stringify(this.text.slice(this.at, this.at + 10))}`);
  }

  /** A tuple of non-negative integers: `()`, `(3,)`, `(2, 3)` or `(2, 3,)`; `(3)` is an int in Python, not a tuple. */
  private tuple(): number[] {
    this.expect('(');
    const items: number[] = [];
    let comma = false;
    while (!this.take(')')) {
      items.push(this.integer());
      comma = this.take(',');
      if (!comma) {
        this.expect(')');
        break;
      }
    }
    if (items.length === 1 && !comma) this.fail(`shape (${items[0]}) is a number, not a tuple; a 1-dimensional shape is written (${items[0]},)`);
    if (items.length > MAX_RANK) this.fail(`shape has ${items.length} dimensions, more than ${MAX_RANK}`);
    return items;
  }

  private integer(): number {
    this.space();
    const match = /^[0-9]+/.exec(this.text.slice(this.at));
    if (!match) this.fail(`expected a non-negative integer in shape at offset ${this.at}, received ${JSON.stringify(this.text.slice(this.at, this.at + 10))}`);
    this.at += match![0].length;
    const value = Number(match![0]);
    if (value > MAX_DIMENSION) this.fail(`shape dimension ${match![0]} is larger than ${MAX_DIMENSION}`);
    return value;
  }

  private string(): string {
    this.space();
    const quote = this.text[this.at];
    if (quote !== "'" && quote !== '"') this.fail(`expected a quoted key or string at offset ${this.at}`);
    const close = this.text.indexOf(quote!, this.at + 1);
    if (close < 0) this.fail(`unterminated string at offset ${this.at}`);
    const value = this.text.slice(this.at + 1, close);
    if (value.includes('\\')) this.fail(`escapes in strings are not supported, at offset ${this.at}`);
    this.at = close + 1;
    return value;
  }

  private take(c: string): boolean {
    this.space();
    if (this.text[this.at] !== c) return false;
    this.at += 1;
    return true;
  }

  private expect(c: string): void {
    if (!this.take(c)) this.fail(`expected '${c}' at offset ${this.at}, received ${JSON.stringify(this.text.slice(this.at, this.at + 10))}`);
  }

  private space(): void {
    while (this.text[this.at] === ' ') this.at += 1;
  }

  private fail(what: string): never {
    throw invalid(this.name, `bad header: ${what}`);
  }
}

function describe(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return `(${value.join(', ')})`;
  return `'${String(value)}'`;
}

function hexBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function invalid(name: string, what: string): EnvironmentError {
  return new EnvironmentError('E_DATA_INVALID', `${name}: not a usable .npy file: ${what}`);
}
