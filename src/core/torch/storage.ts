/**
 * Storages as the reader holds them: the storage types torch.save names (torch.FloatStorage …),
 * their dtypes and element sizes, and the storage object tensors share. The legacy format puts
 * the bytes after the pickle that references them, so a storage is created when first referenced
 * and filled once its bytes are read.
 */
import { ForeignFormatError } from '../errors.js';
import type { TorchDtype, TorchStorage } from './values.js';

/** The storage types of the `torch` module a checkpoint may name, by name, and their element dtype. */
export const STORAGE_TYPES: Readonly<Record<string, TorchDtype>> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

export const ELEMENT_BYTES: Readonly<Record<TorchDtype, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function storageTypeNames(): string {
  return Object.keys(STORAGE_TYPES).map((name) => `torch.${name}`).join(', ');
}

export class LoadedStorage implements TorchStorage {
  #bytes: Uint8Array | undefined;

  constructor(
    readonly key: string,
    readonly dtype: TorchDtype,
    /** Elements, as the persistent id declares them. */
    readonly size: number,
  ) {}

  get byteLength(): number {
    return this.size * ELEMENT_BYTES[this.dtype];
  }

  get filled(): boolean {
    return this.#bytes !== undefined;
  }

  get bytes(): Uint8Array {
    if (this.#bytes === undefined) {
      // Only reachable if a reader hands out a value before reading its storages: a bug, not bad input.
      throw new ForeignFormatError('E_TORCH_FORMAT', `storage ${this.key} has no bytes yet`);
    }
    return this.#bytes;
  }

  /** Sets the bytes once; the caller has checked that they are exactly `byteLength` long. */
  fill(bytes: Uint8Array): void {
    this.#bytes = bytes;
  }
}
