/**
 * Sanity checks for a tensor table (weights.json, optimizer.json) before a byte of its .bin
 * entry is read: names, dtypes, shapes, lengths and the packing rule of docs/bundle-format.md.
 */
import { BundleError, type Issue } from '../errors.js';
import { describe } from '../validate.js';
import { alignUp, DTYPE_BYTES, isStoredDtype, TENSOR_ALIGNMENT, type ReadLimits, type StoredDtype } from './format.js';

export interface TensorRecord {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  byteOffset: number;
  byteLength: number;
}

/** Packs records in order: each offset is the previous end rounded up to the alignment. */
export function layoutTensors(tensors: { name: string; dtype: StoredDtype; shape: number[] }[]): { records: TensorRecord[]; size: number } {
  let end = 0;
  const records = tensors.map(({ name, dtype, shape }) => {
    const byteOffset = alignUp(end);
    const byteLength = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    end = byteOffset + byteLength;
    return { name, dtype, shape: [...shape], byteOffset, byteLength };
  });
  return { records, size: end };
}

/**
 * Checks every record (collecting all problems) and returns the typed records and the exact
 * size the .bin entry must have. Throws BundleError E_TENSOR_TABLE.
 */
export function checkTensorTable(table: unknown, entry: string, limits: ReadLimits): { records: TensorRecord[]; size: number } {
  const issues: Issue[] = [];
  const add = (pointer: string, keyword: string, message: string) => issues.push({ pointer, keyword, message });
  const list = (table as { tensors?: unknown } | null)?.tensors;
  if (!Array.isArray(list)) throw tableError(entry, [{ pointer: '/tensors', keyword: 'type', message: `must be an array, received ${describe(list)}` }]);
  if (list.length > limits.maxTensors) {
    throw tableError(entry, [{ pointer: '/tensors', keyword: 'cap', message: `holds ${list.length} tensors, more than the cap of ${limits.maxTensors}` }]);
  }
  const names = new Set<string>();
  const records: TensorRecord[] = [];
  let end = 0;
  list.forEach((raw: unknown, i: number) => {
    const at = `/tensors/${i}`;
    const r = (raw ?? {}) as Record<string, unknown>;
    if (typeof r.name !== 'string' || r.name.length === 0) add(`${at}/name`, 'type', `must be a non-empty string, received ${describe(r.name)}`);
    else if (names.has(r.name)) add(`${at}/name`, 'unique', `duplicate tensor name "${r.name}"`);
    else names.add(r.name);
    if (!isStoredDtype(r.dtype)) add(`${at}/dtype`, 'dtype', `must be one of ${Object.keys(DTYPE_BYTES).join(', ')}, received ${describe(r.dtype)}`);
    const elements = shapeProduct(r.shape, at, limits, add);
    for (const key of ['byteOffset', 'byteLength'] as const) {
      if (!Number.isSafeInteger(r[key]) || (r[key] as number) < 0) add(`${at}/${key}`, 'type', `must be a non-negative integer, received ${describe(r[key])}`);
    }
    if (issues.length > 0) return;
    const offset = r.byteOffset as number;
    const length = r.byteLength as number;
    const expectedLength = elements! * DTYPE_BYTES[r.dtype as StoredDtype];
    if (!Number.isSafeInteger(expectedLength)) add(`${at}/shape`, 'overflow', `shape [${r.shape}] has too many bytes to address`);
    else if (length !== expectedLength) {
      add(`${at}/byteLength`, 'length', `must be ${expectedLength} for ${r.dtype} [${(r.shape as number[]).join(', ')}], received ${length}`);
    }
    const expectedOffset = alignUp(end);
    if (offset % TENSOR_ALIGNMENT !== 0) add(`${at}/byteOffset`, 'alignment', `must be a multiple of ${TENSOR_ALIGNMENT}, received ${offset}`);
    else if (offset < expectedOffset) add(`${at}/byteOffset`, 'overlap', `overlaps the previous tensor, which ends at ${end}; received ${offset}`);
    else if (offset > expectedOffset) add(`${at}/byteOffset`, 'gap', `leaves a gap: expected ${expectedOffset}, received ${offset}`);
    end = offset + length;
    records.push({ name: r.name as string, dtype: r.dtype as StoredDtype, shape: [...(r.shape as number[])], byteOffset: offset, byteLength: length });
  });
  if (issues.length > 0) throw tableError(entry, issues);
  if (end > limits.maxBinBytes) {
    throw new BundleError('E_ENTRY_TOO_LARGE', `tensor table ${entry} needs ${end} bytes of tensor data, more than the cap of ${limits.maxBinBytes}`);
  }
  return { records, size: end };
}

/** The .bin entry must be exactly as long as its table says. */
export function checkBinSize(entry: string, actual: number, expected: number): void {
  if (actual !== expected) {
    const why = actual < expected ? 'tensors reach past its end (out of range)' : 'it has bytes no tensor covers';
    throw new BundleError('E_TENSOR_TABLE', `${entry} has ${actual} bytes but its table needs exactly ${expected}: ${why}`);
  }
}

function shapeProduct(shape: unknown, at: string, limits: ReadLimits, add: (p: string, k: string, m: string) => void): number | undefined {
  if (!Array.isArray(shape) || shape.length > limits.maxRank) {
    add(`${at}/shape`, 'shape', `must be an array of at most ${limits.maxRank} dimensions, received ${describe(shape)}`);
    return undefined;
  }
  let product = 1;
  for (const [d, dim] of shape.entries()) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      add(`${at}/shape/${d}`, 'type', `must be a non-negative integer, received ${describe(dim)}`);
      return undefined;
    }
    product *= dim;
    if (!Number.isSafeInteger(product)) {
      add(`${at}/shape`, 'overflow', `element count of [${shape.join(', ')}] overflows`);
      return undefined;
    }
  }
  return product;
}

function tableError(entry: string, issues: Issue[]): BundleError {
  return new BundleError('E_TENSOR_TABLE', `tensor table ${entry} is invalid: ${issues.map((i) => `${i.pointer} ${i.message}`).join('; ')}`, issues);
}
