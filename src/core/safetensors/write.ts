/**
 * Writes tensors as a safetensors file, deterministically: the same tensors and metadata give
 * the same bytes. The layout follows the crate's writer's (compact JSON, `__metadata__` first,
 * each entry's keys in the order dtype, shape, data_offsets, the header padded with spaces to a
 * multiple of 8 bytes so that the data buffer starts 8-byte aligned), with one difference: the
 * tensors stay in the order given, where the crate sorts them by dtype width, then name.
 * Metadata keys are sorted, so that the bytes do not depend on how the object was built.
 */
import { ValidationError, type Issue } from '../errors.js';
import { FORBIDDEN_KEYS } from '../bundle/strict-json.js';
import { describe, escapePointer } from '../validate.js';
import {
  DEFAULT_SAFETENSORS_LIMITS,
  DTYPE_BITS,
  HEADER_ALIGNMENT,
  isSafetensorsDtype,
  isWellFormed,
  LENGTH_PREFIX_BYTES,
  MAX_HEADER_BYTES,
  METADATA_KEY,
  tensorByteLength,
} from './format.js';
import type { SafetensorsTensor } from './read.js';

const encoder = new TextEncoder();
const SPACE = 0x20;

/**
 * The file as chunks: the first holds the length prefix and the header, each further one is a
 * tensor's own `bytes` (not copied: keep them unchanged until the chunks are written). Throws
 * ValidationError E_INVALID_ARGS, before anything is built, for tensors or metadata that the
 * crate or our reader would refuse.
 */
export function writeSafetensors(tensors: readonly SafetensorsTensor[], metadata?: Readonly<Record<string, string>>): Uint8Array[] {
  checkInput(tensors, metadata);
  const members: string[] = [];
  if (metadata !== undefined) {
    const pairs = Object.keys(metadata).sort().map((key) => `${JSON.stringify(key)}:${JSON.stringify(metadata[key])}`);
    members.push(`${JSON.stringify(METADATA_KEY)}:{${pairs.join(',')}}`);
  }
  let offset = 0;
  for (const { name, dtype, shape, bytes } of tensors) {
    const end = offset + bytes.byteLength;
    members.push(`${JSON.stringify(name)}:{"dtype":${JSON.stringify(dtype)},"shape":[${shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = encoder.encode(`{${members.join(',')}}`);
  const headerLength = Math.ceil(json.byteLength / HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
  if (headerLength > MAX_HEADER_BYTES) {
    throw invalid([{ pointer: '', keyword: 'cap', message: `the header would take ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} readers accept` }]);
  }
  const head = new Uint8Array(LENGTH_PREFIX_BYTES + headerLength).fill(SPACE);
  new DataView(head.buffer).setBigUint64(0, BigInt(headerLength), true);
  head.set(json, LENGTH_PREFIX_BYTES);
  return [head, ...tensors.map((t) => t.bytes).filter((b) => b.byteLength > 0)];
}

function checkInput(tensors: readonly SafetensorsTensor[], metadata: Readonly<Record<string, string>> | undefined): void {
  const issues: Issue[] = [];
  const add = (pointer: string, keyword: string, message: string) => issues.push({ pointer, keyword, message });
  if (!Array.isArray(tensors)) throw invalid([{ pointer: '/tensors', keyword: 'type', message: `must be an array of tensors, received ${describe(tensors)}` }]);
  if (tensors.length > DEFAULT_SAFETENSORS_LIMITS.maxTensors) {
    add('/tensors', 'cap', `holds ${tensors.length} tensors, more than the ${DEFAULT_SAFETENSORS_LIMITS.maxTensors} our reader accepts`);
  }
  const names = new Set<string>();
  tensors.forEach((tensor, i) => {
    const at = `/tensors/${i}`;
    const t = (tensor ?? {}) as Partial<Record<keyof SafetensorsTensor, unknown>>;
    const of = typeof t.name === 'string' ? `tensor ${JSON.stringify(t.name)}` : `tensor ${i}`;
    const nameProblem = keyProblem(t.name);
    if (nameProblem) add(`${at}/name`, 'name', `${of}: the name ${nameProblem}`);
    else if (t.name === METADATA_KEY) add(`${at}/name`, 'name', `${of}: ${METADATA_KEY} is the header's metadata key, not a tensor name`);
    else if (t.name === '') add(`${at}/name`, 'name', `tensor ${i}: the name must be non-empty`);
    else if (names.has(t.name as string)) add(`${at}/name`, 'unique', `${of}: the name is given twice`);
    else names.add(t.name as string);
    const dtypeOk = isSafetensorsDtype(t.dtype);
    if (!dtypeOk) add(`${at}/dtype`, 'dtype', `${of}: dtype must be one of ${Object.keys(DTYPE_BITS).join(', ')}, received ${describe(t.dtype)}`);
    const shape = t.shape;
    const shapeOk = Array.isArray(shape) && shape.length <= DEFAULT_SAFETENSORS_LIMITS.maxRank && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
    if (!shapeOk) {
      add(`${at}/shape`, 'shape', `${of}: shape must be at most ${DEFAULT_SAFETENSORS_LIMITS.maxRank} non-negative integers, received ${describe(shape)}`);
    }
    if (!(t.bytes instanceof Uint8Array)) {
      add(`${at}/bytes`, 'type', `${of}: bytes must be a Uint8Array, received ${describe(t.bytes)}`);
    } else if (dtypeOk && shapeOk) {
      const length = tensorByteLength(t.dtype as SafetensorsTensor['dtype'], shape as number[]);
      const described = `${t.dtype} [${(shape as number[]).join(', ')}]`;
      if (typeof length === 'string') add(`${at}/shape`, length, `${of}: ${described} ${length === 'overflow' ? 'has too many bytes to address' : 'does not fill a whole number of bytes'}`);
      else if (t.bytes.byteLength !== length) add(`${at}/bytes`, 'length', `${of}: ${described} needs ${length} bytes, received ${t.bytes.byteLength}`);
    }
  });
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      add('/metadata', 'type', `must be an object of strings, received ${describe(metadata)}`);
    } else {
      for (const [key, value] of Object.entries(metadata)) {
        const at = `/metadata/${escapePointer(key)}`;
        const problem = keyProblem(key);
        if (problem) add(at, 'name', `metadata key ${JSON.stringify(key)}: ${problem}`);
        else if (typeof value !== 'string') add(at, 'type', `metadata value of ${JSON.stringify(key)} must be a string, received ${describe(value)}`);
        else if (!isWellFormed(value)) add(at, 'unicode', `metadata value of ${JSON.stringify(key)} holds a lone UTF-16 surrogate, which the crate refuses`);
      }
    }
  }
  if (issues.length > 0) throw invalid(issues);
}

/** Why `key` cannot be a header key that every reader takes back, or undefined. */
function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `must be a string, received ${describe(key)}`;
  if (!isWellFormed(key)) return 'holds a lone UTF-16 surrogate, which the crate refuses';
  // Our strict JSON refuses these keys anywhere, so a file holding them could not be read back.
  if (FORBIDDEN_KEYS.has(key)) return `is ${JSON.stringify(key)}, a key our reader refuses`;
  return undefined;
}

function invalid(issues: Issue[]): ValidationError {
  return new ValidationError('E_INVALID_ARGS', 'tensors and metadata for safetensors', issues);
}
