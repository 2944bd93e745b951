/** Conversions between TF.js tensors and the little-endian bytes a bundle stores. */
import * as tf from '@tensorflow/tfjs';
import { BundleError, EnvironmentError } from '../errors.js';
import { isStoredDtype } from './format.js';
import type { TensorRecord } from './tensor-table.js';
import type { TensorSource } from './write-bundle.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new EnvironmentError('E_BACKEND', 'bundles store little-endian bytes; this host is big-endian, which archbundle does not support');
}

/** A writer source reading the tensor's data only when asked (one copy out of the backend). */
export function tensorSource(name: string, tensor: tf.Tensor): TensorSource {
  requireLittleEndian();
  const dtype = tensor.dtype;
  if (!isStoredDtype(dtype)) throw new BundleError('E_TENSOR_TABLE', `tensor "${name}" has dtype ${dtype}; bundles store float32, int32 and bool`);
  return {
    name,
    dtype,
    shape: [...tensor.shape],
    bytes: () => {
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

/** Backend internals read by `directBytes`; both are stable across TF.js 4.x. */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number | null } | undefined };
  refCount(dataId: object): number;
}
interface CpuBackendInternals {
  data: { get(dataId: object): { values?: Float32Array | Int32Array | Uint8Array } | undefined };
  refCount(dataId: object): number;
}

/**
 * Writes bytes straight into a tensor's storage, with no intermediate copy: the wasm heap for
 * the wasm backend, the typed array for cpu. Returns undefined when that is not possible (other
 * backends, shared storage), and the caller builds a new tensor instead. Only for tensors the
 * caller owns outright and discards on failure (a model being loaded).
 */
export function directBytes(tensor: tf.Tensor): ((bytes: Uint8Array, offset: number) => void) | undefined {
  if (!LITTLE_ENDIAN || !isStoredDtype(tensor.dtype) || tensor.dtype === 'bool') return undefined;
  const byteLength = tensor.size * 4;
  const name = tf.getBackend();
  const dataId = tensor.dataId as object;
  if (name === 'wasm') {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const offset = backend.dataIdMap.get(dataId)?.memoryOffset;
    if (offset == null || backend.refCount(dataId) !== 1) return undefined;
    // a fresh view per call: the heap's buffer is replaced whenever wasm memory grows
    return (bytes, at) => new Uint8Array(backend.wasm.HEAPU8.buffer, offset, byteLength).set(bytes, at);
  }
  if (name === 'cpu') {
    const backend = tf.backend() as unknown as CpuBackendInternals;
    const values = backend.data.get(dataId)?.values;
    if (!values || values.byteLength !== byteLength || backend.refCount(dataId) !== 1) return undefined;
    const view = new Uint8Array(values.buffer, values.byteOffset, byteLength);
    return (bytes, at) => view.set(bytes, at);
  }
  return undefined;
}
