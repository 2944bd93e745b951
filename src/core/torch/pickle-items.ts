/**
 * What the unpickler's stack holds besides Python values: admitted globals (callables and storage
 * types), storages handed out by the persistent loader, and tuples holding either. None of them
 * may end up inside a list or dict or be the result; `asValue` enforces that, with a message.
 */
import { ForeignFormatError } from '../errors.js';
import { LoadedStorage } from './storage.js';
import { PyBytes, PyDict, PyTuple, TorchDevice, type PyValue, type TorchDtype } from './values.js';

/** The callables a checkpoint may call, by qualified name. */
export type CallableName =
  | 'collections.OrderedDict'
  | 'collections.Counter'
  | 'torch._utils._rebuild_tensor_v2'
  | 'torch._utils._rebuild_parameter'
  | 'torch.device'
  | '_codecs.encode';

/** A global the allowlist admitted: something REDUCE may call, or a storage type a persistent id names. */
export class PyGlobal {
  constructor(
    /** module.name */
    readonly qualifiedName: string,
    readonly role: { kind: 'callable'; name: CallableName } | { kind: 'storage-type'; dtype: TorchDtype },
  ) {}
}

/** A tuple with at least one item that is not a Python value (a persistent id, a call's arguments). */
export class ItemTuple {
  constructor(readonly items: readonly Item[]) {}
}

export type Item = PyValue | PyGlobal | LoadedStorage | ItemTuple;

export function isValue(item: Item): item is PyValue {
  return !(item instanceof PyGlobal || item instanceof LoadedStorage || item instanceof ItemTuple);
}

/** A tuple of the items: a Python tuple when all are values, else an internal one. */
export function tupleOf(items: Item[]): PyTuple | ItemTuple {
  return items.every(isValue) ? new PyTuple(items) : new ItemTuple(items);
}

export function tupleItems(item: Item): readonly Item[] | undefined {
  return item instanceof PyTuple || item instanceof ItemTuple ? item.items : undefined;
}

/**
 * The item as a Python value, or a coded error: a global or a bare storage may only be called or
 * referenced from a tensor, never stored. `where` says what the value was for ("a list item").
 */
export function asValue(item: Item, where: string, stream: string, at: number): PyValue {
  if (isValue(item)) return item;
  if (item instanceof PyGlobal) {
    throw new ForeignFormatError(
      'E_UNSAFE_PICKLE',
      `${stream}: global ${item.qualifiedName} is used as ${where} at byte ${at}; expected a plain value (an allowed global may only be called, a storage type only named in a persistent id)`,
    );
  }
  if (item instanceof LoadedStorage) {
    throw new ForeignFormatError(
      'E_TORCH_FORMAT',
      `${stream}: storage ${item.key} is used as ${where} at byte ${at}; expected a tensor (storages are read only as the data of a tensor)`,
    );
  }
  for (const inner of item.items) asValue(inner, `${where} (inside a tuple)`, stream, at);
  throw new ForeignFormatError('E_PICKLE', `${stream}: a tuple used as ${where} at byte ${at} is not a plain value`);
}

/** A short description of an item for messages: its type and, for scalars, its value. */
export function describe(item: Item): string {
  if (item === null) return 'None';
  if (typeof item === 'boolean') return item ? 'True' : 'False';
  if (typeof item === 'number') return `the number ${item}`;
  if (typeof item === 'bigint') return `the int ${item}`;
  if (typeof item === 'string') return `the str ${JSON.stringify(item.length > 60 ? `${item.slice(0, 60)}…` : item)}`;
  if (Array.isArray(item)) return `a list of ${item.length}`;
  if (item instanceof PyTuple || item instanceof ItemTuple) return `a tuple of ${item.items.length}`;
  if (item instanceof PyDict) return `a dict of ${item.entries.size}`;
  if (item instanceof PyBytes) return `bytes of length ${item.bytes.length}`;
  if (item instanceof TorchDevice) return `the device ${item.name}`;
  if (item instanceof PyGlobal) return `the global ${item.qualifiedName}`;
  if (item instanceof LoadedStorage) return `the storage ${item.key}`;
  return 'a tensor';
}
