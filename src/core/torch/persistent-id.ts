/**
 * The persistent ids torch.save writes for storages (torch/serialization.py, persistent_id):
 *   zip:    ('storage', storage_type, key, location, numel)
 *   legacy: ('storage', storage_type, key, location, numel, view_metadata)
 * where view_metadata is None or (view_key, offset, view_numel), a slice of the storage that
 * only files from PyTorch's storage-view days hold. Anything else is refused.
 */
import { ForeignFormatError } from '../errors.js';
import { PyGlobal, describe, tupleItems, type Item } from './pickle-items.js';
import type { TorchDtype } from './values.js';

export interface StorageReference {
  dtype: TorchDtype;
  /** The storage type's name, for messages. */
  typeName: string;
  key: string;
  location: string;
  /** Elements of `dtype`. */
  size: number;
  view?: { key: string; offset: number; size: number };
}

export type PersistentIdForm = 'zip' | 'legacy';

const FORMS: Record<PersistentIdForm, string> = {
  zip: "('storage', storage type, key, location, size)",
  legacy: "('storage', storage type, key, location, size, view)",
};

/** Keys are decimal in every file torch writes; anything that could be a path or a huge string is refused. */
const KEY = /^[0-9A-Za-z_-]{1,64}$/;

export function parseStorageId(pid: Item, form: PersistentIdForm, stream: string, at: number): StorageReference {
  const bad = (what: string): never => {
    throw new ForeignFormatError('E_TORCH_FORMAT', `${stream}: persistent id at byte ${at} ${what}; expected ${FORMS[form]}`);
  };
  const items = tupleItems(pid);
  if (!items) return bad(`is ${describe(pid)}`);
  const length = form === 'zip' ? 5 : 6;
  if (items[0] !== 'storage') return bad(`starts with ${items.length === 0 ? 'nothing' : describe(items[0]!)}`);
  if (items.length !== length) return bad(`has ${items.length} items`);
  const [, type, key, location, size, view] = items;
  if (!(type instanceof PyGlobal) || type.role.kind !== 'storage-type') return bad(`names ${describe(type!)} as its storage type`);
  if (!isKey(key)) return bad(`has ${describe(key!)} as its key (expected up to 64 letters, digits, _ or -)`);
  if (typeof location !== 'string' || location.length > 64) return bad(`has ${describe(location!)} as its location`);
  if (!isCount(size)) return bad(`has ${describe(size!)} as its size`);
  const reference: StorageReference = { dtype: type.role.dtype, typeName: type.qualifiedName, key, location, size };
  if (form === 'legacy' && view !== null) {
    const parts = tupleItems(view!);
    const [viewKey, offset, viewSize] = parts ?? [];
    if (parts?.length !== 3 || !isKey(viewKey) || !isCount(offset) || !isCount(viewSize)) {
      return bad(`has ${describe(view!)} as its view (expected None or (view key, offset, size))`);
    }
    reference.view = { key: viewKey, offset, size: viewSize };
  }
  return reference;
}

function isKey(value: Item | undefined): value is string {
  return typeof value === 'string' && value.length <= 64 && KEY.test(value);
}

export function isCount(value: Item | undefined): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
