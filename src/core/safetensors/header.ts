/**
 * The safetensors header, from its bytes to checked entries: strict JSON (our hostile-input
 * parser), then the schema the safetensors crate enforces, and a little more (exact keys
 * per tensor, non-empty names). Every problem of every entry is collected into one error, so a
 * broken file is described in one go. The layout of the offsets is checked in layout.ts.
 */
import { ArchbundleError, ForeignFormatError, type Issue } from '../errors.js';
import { parseStrictJson } from '../bundle/strict-json.js';
import { describe, escapePointer } from '../validate.js';
import { DTYPE_BITS, isSafetensorsDtype, isWellFormed, METADATA_KEY, tensorByteLength, type SafetensorsDtype, type SafetensorsLimits } from './format.js';

/** One tensor as the header declares it; offsets are relative to the start of the data buffer. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface Header {
  /** In the header's key order; layout.ts puts them in offset order. */
  entries: HeaderEntry[];
  metadata: Record<string, string> | null;
}

const ENTRY_KEYS = ['dtype', 'shape', 'data_offsets'] as const;
/** How many problems the error message spells out; `issues` has them all. */
const MESSAGE_ISSUES = 5;

/** The problems found so far; `count` lets one entry's checks tell whether they found any. */
class Issues {
  readonly list: Issue[] = [];
  add(pointer: string, keyword: string, message: string): void {
    this.list.push({ pointer, keyword, message });
  }
  get count(): number {
    return this.list.length;
  }
}

export function parseHeader(bytes: Uint8Array, limits: SafetensorsLimits): Header {
  const doc = parseJson(bytes, limits.maxJsonDepth);
  if (!isObject(doc)) {
    throw headerError([{ pointer: '', keyword: 'type', message: `the header must be a JSON object of tensor names, received ${describe(doc)}` }]);
  }
  const names = Object.keys(doc).filter((key) => key !== METADATA_KEY);
  if (names.length > limits.maxTensors) {
    throw headerError([{ pointer: '', keyword: 'cap', message: `the header declares ${names.length} tensors, more than the cap of ${limits.maxTensors}` }]);
  }
  const issues = new Issues();
  const metadata = Object.hasOwn(doc, METADATA_KEY) ? checkMetadata(doc[METADATA_KEY], issues) : null;
  const entries: HeaderEntry[] = [];
  for (const name of names) {
    const entry = checkEntry(name, doc[name], limits, issues);
    if (entry) entries.push(entry);
  }
  if (issues.count > 0) throw headerError(issues.list);
  return { entries, metadata };
}

/** One error for all `issues`, under a summary such as "safetensors header is invalid". */
export function headerError(issues: Issue[], summary = 'safetensors header is invalid', code: 'E_SAFETENSORS' | 'E_TRUNCATED' = 'E_SAFETENSORS'): ForeignFormatError {
  const shown = issues.slice(0, MESSAGE_ISSUES).map((i) => i.message).join('; ');
  const more = issues.length > MESSAGE_ISSUES ? `; and ${issues.length - MESSAGE_ISSUES} more problems` : '';
  return new ForeignFormatError(code, `${summary}: ${shown}${more}`, issues);
}

/** The JSON, with the strict parser's own problems (UTF-8, syntax, depth, duplicate or forbidden keys) re-coded. */
function parseJson(bytes: Uint8Array, maxDepth: number): unknown {
  try {
    return parseStrictJson(bytes, 'safetensors header', maxDepth);
  } catch (error) {
    if (!(error instanceof ArchbundleError)) throw error;
    // The parser speaks for bundle entries (E_JSON_*); here the file is foreign and has one code.
    const keyword = error.code.slice(2).toLowerCase().replace(/_/g, '-');
    throw new ForeignFormatError('E_SAFETENSORS', error.message, [{ pointer: '', keyword, message: error.message }], { cause: error });
  }
}

function checkMetadata(value: unknown, issues: Issues): Record<string, string> | null {
  const at = `/${METADATA_KEY}`;
  const add = issues.add.bind(issues);
  if (!isObject(value)) {
    add(at, 'type', `${METADATA_KEY} must be an object of string values, received ${describe(value)}`);
    return null;
  }
  const metadata: Record<string, string> = {};
  for (const [key, text] of Object.entries(value)) {
    const pointer = `${at}/${escapePointer(key)}`;
    if (typeof text !== 'string') add(pointer, 'type', `${METADATA_KEY} value of ${JSON.stringify(key)} must be a string, received ${describe(text)}`);
    else if (!isWellFormed(key) || !isWellFormed(text)) add(pointer, 'unicode', `${METADATA_KEY} entry ${JSON.stringify(key)} holds a lone UTF-16 surrogate, which the crate refuses`);
    else metadata[key] = text;
  }
  return metadata;
}

function checkEntry(name: string, raw: unknown, limits: SafetensorsLimits, issues: Issues): HeaderEntry | undefined {
  const at = `/${escapePointer(name)}`;
  const of = `tensor ${JSON.stringify(name)}`;
  const before = issues.count;
  const add = issues.add.bind(issues);
  if (name.length === 0) add(at, 'name', 'a tensor name must be non-empty, received ""');
  else if (!isWellFormed(name)) add(at, 'unicode', `${of}: the name holds a lone UTF-16 surrogate, which the crate refuses`);
  if (!isObject(raw)) {
    add(at, 'type', `${of} must be an object with dtype, shape and data_offsets, received ${describe(raw)}`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!(ENTRY_KEYS as readonly string[]).includes(key)) {
      add(`${at}/${escapePointer(key)}`, 'additionalProperties', `${of} has the unknown key ${JSON.stringify(key)}; expected only dtype, shape and data_offsets`);
    }
  }
  for (const key of ENTRY_KEYS) if (!Object.hasOwn(raw, key)) add(`${at}/${key}`, 'required', `${of} lacks ${key}`);
  const { dtype, shape, data_offsets: offsets } = raw;
  if (Object.hasOwn(raw, 'dtype') && !isSafetensorsDtype(dtype)) {
    add(`${at}/dtype`, 'dtype', `${of}: dtype must be one of ${Object.keys(DTYPE_BITS).join(', ')}, received ${describe(dtype)}`);
  }
  const dims = Object.hasOwn(raw, 'shape') ? checkShape(shape, `${at}/shape`, of, limits.maxRank, add) : undefined;
  const span = Object.hasOwn(raw, 'data_offsets') ? checkOffsets(offsets, `${at}/data_offsets`, of, add) : undefined;
  if (issues.count > before || !dims || !span || !isSafetensorsDtype(dtype)) return undefined;
  const length = tensorByteLength(dtype, dims);
  const described = `${dtype} [${dims.join(', ')}]`;
  if (length === 'overflow') add(`${at}/shape`, 'overflow', `${of}: ${described} has too many bytes to address`);
  else if (length === 'partial-byte') add(`${at}/shape`, 'partial-byte', `${of}: ${described} does not fill a whole number of bytes`);
  else if (span[1] - span[0] !== length) {
    add(`${at}/data_offsets`, 'length', `${of}: ${described} needs ${length} bytes, but data_offsets [${span.join(', ')}] span ${span[1] - span[0]}`);
  } else return { name, dtype, shape: dims, begin: span[0], end: span[1] };
  return undefined;
}

function checkShape(shape: unknown, at: string, of: string, maxRank: number, add: Issues['add']): number[] | undefined {
  if (!Array.isArray(shape) || shape.length > maxRank) {
    add(at, 'shape', `${of}: shape must be an array of at most ${maxRank} dimensions, received ${describe(shape)}`);
    return undefined;
  }
  let ok = true;
  shape.forEach((dim: unknown, d) => {
    if (!isCount(dim)) {
      add(`${at}/${d}`, 'type', `${of}: shape[${d}] must be a non-negative integer, received ${describe(dim)}`);
      ok = false;
    }
  });
  // `+ 0` turns a JSON -0 into 0.
  return ok ? shape.map((dim: number) => dim + 0) : undefined;
}

function checkOffsets(offsets: unknown, at: string, of: string, add: Issues['add']): [number, number] | undefined {
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    add(at, 'type', `${of}: data_offsets must be [begin, end], received ${describe(offsets)}`);
    return undefined;
  }
  const [begin, end] = offsets as unknown[];
  let ok = true;
  for (const [i, value] of [begin, end].entries()) {
    if (!isCount(value)) {
      add(`${at}/${i}`, 'type', `${of}: data_offsets[${i}] must be a non-negative integer, received ${describe(value)}`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  if ((end as number) < (begin as number)) {
    add(at, 'order', `${of}: data_offsets end must not be before begin, received [${begin}, ${end}]`);
    return undefined;
  }
  return [(begin as number) + 0, (end as number) + 0];
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
