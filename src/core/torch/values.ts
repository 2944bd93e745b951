/**
 * The Python values a restricted unpickler hands out: only what a PyTorch state dict or the
 * reference implementation's checkpoint dict holds. Nothing here is callable; a tensor is a view
 * (dtype, shape, strides, offset) onto the bytes of a storage read from the file.
 */

export type TorchDtype = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** One untyped storage of the checkpoint: `bytes` holds `size` elements of `dtype`. */
export interface TorchStorage {
  /** The key the file gives it (the zip record name, or the legacy format's storage key). */
  readonly key: string;
  readonly dtype: TorchDtype;
  readonly size: number;
  readonly bytes: Uint8Array;
}

/** A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided view of a storage (offset and strides in elements). */
export interface TorchTensor {
  readonly kind: 'tensor';
  readonly storage: TorchStorage;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly requiresGrad: boolean;
}

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** A dict (also collections.OrderedDict): insertion-ordered pairs with string, number or bigint keys. */
export class PyDict {
  readonly entries = new Map<PyKey, PyValue>();
  /**
   * Instance attributes an OrderedDict was pickled with (BUILD), such as a module state dict's
   * `_metadata` (per-module versions); empty for plain dicts.
   */
  readonly attributes = new Map<string, PyValue>();
  get(key: PyKey): PyValue | undefined {
    return this.entries.get(key);
  }
}

/** torch.device('cpu') and the like, kept as its name only. */
export class TorchDevice {
  constructor(readonly name: string) {}
}

/** Python bytes. */
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
}

export type PyKey = string | number | bigint;

export function isTorchTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'tensor';
}

/** A Python float is a number; an int is a number when it is a safe integer, else a bigint. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyBytes
  | PyValue[]
  | PyTuple
  | PyDict
  | TorchDevice
  | TorchTensor;
