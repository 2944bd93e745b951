/** Conversions between TF.js tensors and the little-endian bytes a bundle stores. */
import * as tf from '@tensorflow/tfjs';
import { BundleError, EnvironmentError } from '../../core/errors.js';
import { isStoredDtype } from '../../core/bundle/format.js';
import type { TensorRecord } from '../../core/bundle/tensor-table.js';
import type { TensorSource } from '../../core/bundle/write-bundle.js';
import { cpuValues, refCount, wasmHeapBytes } from '../backend/tfjs-internals.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new EnvironmentError('E_BACKEND', 'bundles store little-endian bytes; this host is big-endian, which archbundle does not support');
}

/**
 * A writer source reading the tensor's data only when asked: a view of the backend's own storage
 * where possible (no copy, no allocation), else a copy from dataSync. The writer hashes the view
 * and hands it to the file at once; run no TF.js op while a save is in flight (await it).
 */
export function tensorSource(name: string, tensor: tf.Tensor): TensorSource {
  requireLittleEndian();
  const dtype = tensor.dtype;
  if (!isStoredDtype(dtype)) throw new BundleError('E_TENSOR_TABLE', `tensor "${name}" has dtype ${dtype}; bundles store float32, int32 and bool`);
  return {
    name,
    dtype,
    shape: [...tensor.shape],
    bytes: () => {
      const storage = storageView(tensor);
      if (storage) return storage;
      const data = tensor.dataSync() as Float32Array | Int32Array | Uint8Array;
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
  };
}

/** A tensor over bytes the reader handed over (a fresh, aligned buffer). */
export function tensorFromBytes(record: TensorRecord, bytes: Uint8Array): tf.Tensor {
  requireLittleEndian();
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const n = record.shape.reduce((a, b) => a * b, 1);
  switch (record.dtype) {
    case 'float32':
      return tf.tensor(new Float32Array(aligned.buffer, aligned.byteOffset, n), record.shape, 'float32');
    case 'int32':
      return tf.tensor(new Int32Array(aligned.buffer, aligned.byteOffset, n), record.shape, 'int32');
    case 'bool':
      for (const b of aligned) if (b > 1) throw new BundleError('E_TENSOR_TABLE', `bool tensor "${record.name}" holds the byte ${b}; expected 0 or 1`);
      return tf.tensor(aligned, record.shape, 'bool');
  }
}

/**
 * The tensor's own storage as the target for its bytes, with no intermediate copy: the wasm heap
 * for the wasm backend, the typed array for cpu. Undefined when that is not possible (other
 * backends, shared storage), and the caller builds a new tensor instead. Only for tensors the
 * caller owns outright and discards on failure (a model being loaded). A wasm heap view is valid
 * until the heap grows, that is until the next tensor is allocated.
 */
export function storageTarget(tensor: tf.Tensor): Uint8Array | undefined {
  if (tensor.dtype === 'bool' || refCount(tensor.dataId as object) !== 1) return undefined;
  return storageView(tensor);
}

/** The bytes of a float32 / int32 tensor where the backend keeps them (wasm heap, cpu typed array), or undefined. */
function storageView(tensor: tf.Tensor): Uint8Array | undefined {
  if (!LITTLE_ENDIAN || (tensor.dtype !== 'float32' && tensor.dtype !== 'int32')) return undefined;
  const byteLength = tensor.size * 4;
  const dataId = tensor.dataId as object;
  const name = tf.getBackend();
  if (name === 'wasm') return wasmHeapBytes(dataId, byteLength);
  if (name === 'cpu') {
    const values = cpuValues(dataId);
    return values && values.byteLength === byteLength ? new Uint8Array(values.buffer, values.byteOffset, byteLength) : undefined;
  }
  return undefined;
}
