/**
 * The one place archbundle reaches into TF.js private state: the wasm backend's heap and data
 * map, the cpu backend's data storage and banner flag, and the backend methods archbundle's wasm
 * kernels call. None of it is public API, so a TF.js release may rename or retype any of it;
 * `checkBackendInternals` runs when a backend is selected and turns such a change into a clear
 * E_BACKEND error instead of wrong bytes or a TypeError deep inside a save or a training step.
 * Every field used below is listed in `REQUIRED`, which is what the check verifies.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { EnvironmentError, type Issue } from '../../core/errors.js';

/** The TF.js versions these internals were checked against; package.json pins the same range. */
export const TESTED_TFJS_RANGE = '~4.22.0';

type DataId = object;

/** The wasm backend methods archbundle's kernels call, all verified by `checkBackendInternals`. */
export type WasmKernelBackend = Pick<
  BackendWasm,
  'makeOutput' | 'typedArrayFromHeap' | 'getMemoryOffset' | 'incRef' | 'readSync' | 'disposeData'
>;

/** The wasm backend as handed to a kernel function, typed for the methods archbundle uses. */
export function wasmKernelBackend(backend: object): WasmKernelBackend {
  return backend as BackendWasm;
}

/**
 * Unregisters a TensorInfo made over memory it does not own (see WasmOps.view): the id and
 * anything the wasm side cached for it go, the memory stays with its owner. `disposeData` would
 * free that memory.
 */
export function releaseWasmView(backend: WasmKernelBackend, dataId: DataId): void {
  const wasm = backend as BackendWasm;
  const data = wasm.dataIdMap.get(dataId);
  if (!data) return;
  wasm.wasm.tfjs.disposeData(data.id);
  wasm.dataIdMap.delete(dataId);
}

/**
 * `byteLength` bytes of the wasm heap where the tensor's data lives, without a copy; undefined
 * when the backend has no memory for it. Valid until the heap grows, that is until the next
 * tensor is allocated.
 */
export function wasmHeapBytes(dataId: DataId, byteLength: number, backend: object = tf.backend()): Uint8Array | undefined {
  const wasm = backend as BackendWasm;
  const offset = (wasm.dataIdMap.get(dataId) as { memoryOffset: number | null } | undefined)?.memoryOffset;
  return offset == null ? undefined : new Uint8Array(wasm.wasm.HEAPU8.buffer, offset, byteLength);
}

interface CpuBackendInternals {
  data: { get(dataId: DataId): { values?: tf.backend_util.BackendValues } | undefined };
  firstUse?: boolean;
}

/** The cpu backend's own typed array for the tensor's data (not a copy), or undefined (strings, no data). */
export function cpuValues(dataId: DataId, backend: object = tf.backend()): Float32Array | Int32Array | Uint8Array | undefined {
  const values = (backend as CpuBackendInternals).data.get(dataId)?.values;
  return ArrayBuffer.isView(values) ? values : undefined;
}

/**
 * Marks the cpu backend's first-tensor banner (recommending tfjs-node) as shown. Leaves a backend
 * without the flag alone, so that `checkBackendInternals` still reports the flag missing.
 */
export function hideCpuBanner(backend: object = tf.backend()): void {
  const cpu = backend as CpuBackendInternals;
  if (typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

/** How many tensors share the data behind `dataId` on the backend. */
export function refCount(dataId: DataId, backend: object = tf.backend()): number {
  return (backend as tf.KernelBackend).refCount(dataId);
}

type Kind = 'object' | 'function' | 'boolean' | 'number' | 'Uint8Array';

/** Per TF.js backend name: the field paths the functions above and the wasm kernels read. */
const REQUIRED: Record<string, readonly (readonly [path: string, kind: Kind])[]> = {
  wasm: [
    ['wasm', 'object'],
    ['wasm.HEAPU8', 'Uint8Array'],
    ['wasm.tfjs', 'object'],
    ['wasm.tfjs.disposeData', 'function'],
    ['dataIdMap', 'object'],
    ['dataIdMap.get', 'function'],
    ['dataIdMap.delete', 'function'],
    ['makeOutput', 'function'],
    ['typedArrayFromHeap', 'function'],
    ['getMemoryOffset', 'function'],
    ['incRef', 'function'],
    ['readSync', 'function'],
    ['refCount', 'function'],
    ['disposeData', 'function'],
    ['write', 'function'],
  ],
  cpu: [
    ['data', 'object'],
    ['data.get', 'function'],
    ['firstUse', 'boolean'],
    ['refCount', 'function'],
    ['disposeData', 'function'],
    ['write', 'function'],
  ],
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return typeof value;
}

function fits(value: unknown, kind: Kind): boolean {
  return kind === 'Uint8Array' ? value instanceof Uint8Array : kind === 'object' ? typeof value === 'object' && value !== null : typeof value === kind;
}

function issue(path: string, message: string, keyword: string): Issue {
  return { pointer: '/' + path.replaceAll('.', '/'), message: `${path} ${message}`, keyword };
}

/** The fields in `REQUIRED[backendName]` that are missing or of another kind. */
function fieldIssues(backendName: string, backend: object): Issue[] {
  const issues: Issue[] = [];
  const failed: string[] = [];
  for (const [path, kind] of REQUIRED[backendName]!) {
    // a field under one already reported missing is not reported again
    if (failed.some((f) => path.startsWith(f + '.'))) continue;
    let value: unknown = backend;
    for (const key of path.split('.')) value = value == null ? undefined : (value as Record<string, unknown>)[key];
    if (fits(value, kind)) continue;
    failed.push(path);
    issues.push(value === undefined ? issue(path, 'is missing', 'required') : issue(path, `is ${kindOf(value)}, expected ${kind}`, 'type'));
  }
  return issues;
}

/**
 * The per-tensor records: writes a one-element tensor straight to the backend (the engine never
 * sees it) and checks that its record has the fields read above and points at its bytes.
 */
function recordIssues(backendName: string, backend: object): Issue[] {
  const probe = new Float32Array([1.5]);
  const kernel = backend as tf.KernelBackend;
  const dataId = kernel.write(probe, [1], 'float32');
  try {
    if (backendName === 'wasm') {
      const wasm = backend as BackendWasm;
      const record = wasm.dataIdMap.get(dataId) as unknown as Record<string, unknown> | undefined;
      const issues: Issue[] = [];
      for (const key of ['id', 'memoryOffset']) {
        const value = record?.[key];
        if (typeof value !== 'number') issues.push(issue(`dataIdMap entry.${key}`, value === undefined ? 'is missing' : `is ${kindOf(value)}, expected number`, value === undefined ? 'required' : 'type'));
      }
      if (issues.length === 0) {
        const stored = new Float32Array(wasm.wasm.HEAPU8.buffer, record!.memoryOffset as number, 1)[0];
        if (stored !== probe[0]) issues.push(issue('dataIdMap entry.memoryOffset', 'does not point at the tensor\'s bytes in wasm.HEAPU8', 'layout'));
      }
      return issues;
    }
    if (backendName === 'cpu') {
      const values: unknown = (backend as CpuBackendInternals).data.get(dataId)?.values;
      if (values === probe) return [];
      return [issue('data entry.values', values === undefined ? 'is missing' : 'is not the array the tensor was written from', values === undefined ? 'required' : 'layout')];
    }
    return [];
  } finally {
    kernel.disposeData(dataId);
  }
}

/**
 * Verifies that `backend` (by default the one in use), whose TF.js name is `backendName`, has
 * every private field archbundle relies on, with the expected type. Throws EnvironmentError
 * E_BACKEND naming the backend, the fields and the installed TF.js versions. Backends archbundle
 * does not reach into (tensorflow, webgl) always pass.
 */
export async function checkBackendInternals(backendName: string, backend: object = tf.backend()): Promise<void> {
  if (!Object.hasOwn(REQUIRED, backendName)) return;
  const issues = fieldIssues(backendName, backend);
  // the records are read only through fields checked above; a cpu backend without its banner
  // flag would also print the banner on this write
  if (issues.length === 0) issues.push(...recordIssues(backendName, backend));
  if (issues.length === 0) return;
  const installed = [`@tensorflow/tfjs-core ${tf.version_core}`];
  if (backendName === 'wasm') installed.push(`@tensorflow/tfjs-backend-wasm ${(await import('@tensorflow/tfjs-backend-wasm')).version_wasm}`);
  throw new EnvironmentError(
    'E_BACKEND',
    `the TF.js "${backendName}" backend lacks internals archbundle relies on: ${issues.map((i) => i.message).join('; ')}. ` +
      `Installed: ${installed.join(', ')}; archbundle is tested with TF.js ${TESTED_TFJS_RANGE}`,
    issues,
  );
}
