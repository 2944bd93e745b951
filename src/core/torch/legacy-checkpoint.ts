/**
 * torch.save's legacy serialisation (`_use_new_zipfile_serialization=False`; torch/serialization.py
 * `_legacy_save`, read back by `_legacy_load`), one stream of five pickles and raw bytes:
 *   1. the magic number 0x1950a86a20f9469cfc6c
 *   2. the protocol version 1001
 *   3. sys_info: {protocol_version, little_endian, type_sizes}
 *   4. the object, whose persistent ids ('storage', type, key, location, numel, view) name storages
 *   5. the list of storage keys, in the order their bytes follow
 * then, for each key: the element count as 8 bytes little-endian, and numel × element size bytes.
 * Storages are referenced before their bytes are read, so tensors are checked against the sizes
 * the persistent ids declare, and every storage must then get exactly those bytes.
 */
import { ForeignFormatError } from '../errors.js';
import { ByteCursor } from './byte-cursor.js';
import type { TorchLimits } from './limits.js';
import { describe, type Item } from './pickle-items.js';
import { unpickle, type PickleOptions } from './pickle-machine.js';
import { parseStorageId } from './persistent-id.js';
import { ELEMENT_BYTES, LoadedStorage } from './storage.js';
import { PyDict, type PyValue } from './values.js';

export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;
const STREAM = 'the legacy checkpoint';

function bad(what: string): never {
  throw new ForeignFormatError('E_TORCH_FORMAT', `${STREAM} ${what}`);
}

/** A slice of a root storage, which gets its bytes when the root does. */
interface View {
  storage: LoadedStorage;
  root: LoadedStorage;
  offset: number;
}

/** The legacy stream after its magic number pickle, which the caller has read and checked (it ends at `start`). */
export function readLegacyCheckpoint(bytes: Uint8Array, start: number, limits: TorchLimits): PyValue {
  const plain: PickleOptions = { stream: STREAM, limits, globals: false };
  let at = start;
  const next = (options: PickleOptions): PyValue => {
    const result = unpickle(bytes, at, bytes.length, options);
    at = result.end;
    return result.value;
  };

  const protocol = next(plain);
  if (protocol !== PROTOCOL_VERSION) bad(`declares protocol version ${describe(protocol)}; expected ${PROTOCOL_VERSION}`);
  checkSysInfo(next(plain));

  const roots = new Map<string, LoadedStorage>();
  const views = new Map<string, View>();
  const persistentLoad = (pid: Item, pidAt: number): LoadedStorage => {
    const ref = parseStorageId(pid, 'legacy', STREAM, pidAt);
    let root = roots.get(ref.key);
    if (root) {
      if (root.dtype !== ref.dtype || root.size !== ref.size) {
        bad(`references storage ${ref.key} as ${ref.size} elements of ${ref.dtype} at byte ${pidAt}, but earlier as ${root.size} of ${root.dtype}`);
      }
    } else {
      if (views.has(ref.key)) bad(`uses the key ${ref.key} at byte ${pidAt} both for a storage and for a view`);
      if (roots.size + views.size >= limits.maxStorages) bad(`references more than ${limits.maxStorages} storages`);
      root = new LoadedStorage(ref.key, ref.dtype, ref.size);
      roots.set(ref.key, root);
    }
    if (!ref.view) return root;
    const { key, offset, size } = ref.view;
    const known = views.get(key);
    if (known) {
      if (known.root !== root || known.offset !== offset || known.storage.size !== size) bad(`describes the view ${key} differently at byte ${pidAt}`);
      return known.storage;
    }
    if (roots.has(key)) bad(`uses the key ${key} at byte ${pidAt} both for a storage and for a view`);
    if (offset + size > root.size) bad(`has a view ${key} of elements ${offset} to ${offset + size} at byte ${pidAt}, past the end of storage ${root.key} (${root.size} elements)`);
    if (roots.size + views.size >= limits.maxStorages) bad(`references more than ${limits.maxStorages} storages`);
    const view: View = { storage: new LoadedStorage(key, ref.dtype, size), root, offset };
    views.set(key, view);
    return view.storage;
  };
  const value = next({ stream: STREAM, limits, globals: true, persistentLoad });

  const keys = next(plain);
  if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string')) {
    bad(`has ${describe(keys)} where the list of storage keys belongs; expected a list of str`);
  }
  const cursor = new ByteCursor(bytes, STREAM, at);
  for (const key of keys) readStorage(cursor, key, roots);
  for (const root of roots.values()) {
    if (!root.filled) bad(`references storage ${root.key}, but its list of storage keys leaves it out: its bytes are missing`);
  }
  for (const view of views.values()) {
    const width = ELEMENT_BYTES[view.root.dtype];
    view.storage.fill(view.root.bytes.subarray(view.offset * width, (view.offset + view.storage.size) * width));
  }
  if (cursor.remaining !== 0) bad(`has ${cursor.remaining} bytes after its last storage, at byte ${cursor.position}`);
  return value;
}

function readStorage(cursor: ByteCursor, key: string, roots: Map<string, LoadedStorage>): void {
  const storage = roots.get(key);
  if (!storage) bad(`lists storage ${JSON.stringify(key.slice(0, 64))}, which the pickle never references`);
  if (storage.filled) bad(`lists storage ${key} twice`);
  const at = cursor.position;
  const count = cursor.u64(`the element count of storage ${key}`);
  if (count !== BigInt(storage.size)) bad(`gives storage ${key} ${count} elements at byte ${at}; the pickle declares ${storage.size} elements of ${storage.dtype}`);
  storage.fill(cursor.take(storage.byteLength, `the ${storage.byteLength} bytes of storage ${key}`));
}

/** Only the byte order matters to a reader; type_sizes describe C longs, which no storage uses. */
function checkSysInfo(info: PyValue): void {
  if (!(info instanceof PyDict)) bad(`has ${describe(info)} where sys_info belongs; expected a dict`);
  const littleEndian = info.get('little_endian');
  if (littleEndian === false) bad('was written on a big-endian machine (sys_info little_endian is False); only little-endian checkpoints are supported');
  if (littleEndian !== true) bad(`has sys_info little_endian ${littleEndian === undefined ? 'missing' : describe(littleEndian)}; expected True`);
  const version = info.get('protocol_version');
  if (version !== PROTOCOL_VERSION) bad(`has sys_info protocol_version ${version === undefined ? 'missing' : describe(version)}; expected ${PROTOCOL_VERSION}`);
}
