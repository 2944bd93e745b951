import * as tf from '@tensorflow/tfjs';
import type { BackendName, BackendRequest } from '../../core/config.js';
import { EnvironmentError } from '../../core/errors.js';
import { checkBackendInternals, hideCpuBanner } from './tfjs-internals.js';
import { registerWasmTrainingKernels } from './wasm-kernels/index.js';
import { requestedThreads, wasmThreading, type ThreadsOptions, type ThreadsSource } from './threads.js';
import { startWasm, wasmThreadsInUse } from './wasm-start.js';

/**
 * Backends in order of preference for `auto`. The TensorFlow ones are optional peer dependencies
 * (their install downloads libtensorflow); wasm ships inside its npm package; cpu is the pure-JS
 * reference.
 */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendName[];
export type { BackendName, BackendRequest };

export interface BackendInfo {
  /** What was asked for, and where the request came from. */
  requested: BackendRequest;
  source: 'argument' | 'ARCHBUNDLE_BACKEND' | 'default';
  /** The archbundle name of the backend in use, and TF.js's own name for it. */
  name: BackendName;
  tfjsName: string;
  /** Backends tried before this one, with why they were skipped. */
  skipped: { name: BackendName; reason: string }[];
  /**
   * The threads the backend really computes with: wasm's XNNPACK thread pool as the backend
   * reports it (getThreadsCount), 1 for cpu, TensorFlow's own pool (all logical cores) for tensorflow.
   */
  threads: number;
  /** The count asked for and where from (--threads, ARCHBUNDLE_THREADS, the config's threads, or all cores). */
  threadsRequested: number;
  threadsSource: ThreadsSource;
  /** Why the backend runs with other threads than asked (e.g. the threaded wasm build could not load). */
  notes: string[];
}

export type { ThreadsOptions, ThreadsSource };
export interface SelectOptions extends ThreadsOptions {}

const PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** Hooks run after a backend is set, e.g. to register archbundle's extra wasm kernels. */
const setupHooks: ((name: BackendName) => void | Promise<void>)[] = [];
export function onBackendReady(hook: (name: BackendName) => void | Promise<void>): void {
  setupHooks.push(hook);
}

onBackendReady((name) => {
  if (name === 'wasm') registerWasmTrainingKernels();
});

let current: BackendInfo | undefined;

/**
 * Selects the TF.js backend: the explicit request, else `ARCHBUNDLE_BACKEND`, else `auto`
 * (tensorflow-gpu, tensorflow, wasm, then cpu: the first that loads). The backend chosen must
 * have the TF.js internals archbundle reads (checkBackendInternals), else this fails with E_BACKEND.
 * Threads: `options.threads`, else `ARCHBUNDLE_THREADS`, else `options.configThreads`, else every
 * core (with the platform's wasm threading installed; 1 without). The wasm backend starts once per
 * process, so its count is fixed by the first selection.
 */
export async function selectBackend(request?: BackendRequest, options: SelectOptions = {}): Promise<BackendInfo> {
  const wanted = requestedThreads(options);
  const fromEnv = process.env.ARCHBUNDLE_BACKEND;
  const requested = (request ?? fromEnv ?? 'auto') as BackendRequest;
  const source = request ? 'argument' : fromEnv ? 'ARCHBUNDLE_BACKEND' : 'default';
  if (requested !== 'auto' && !BACKENDS.includes(requested)) {
    throw new EnvironmentError(
      'E_BACKEND',
      `unknown backend "${requested}" (from ${source}); expected one of auto, ${BACKENDS.join(', ')}`,
    );
  }
  const candidates = requested === 'auto' ? [...BACKENDS] : [requested];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of candidates) {
    const notes: string[] = [];
    const reason = await tryBackend(name, wanted.threads, notes);
    if (reason === undefined) {
      // Not a reason to try the next backend: a TF.js release that moved these fields needs the
      // pinned version installed, and falling back to a slower backend would hide that.
      await checkBackendInternals(tf.getBackend());
      for (const hook of setupHooks) await hook(name);
      const threads = await threadsInUse(name, wanted, notes);
      current = { requested, source, name, tfjsName: tf.getBackend(), skipped, threads, threadsRequested: wanted.threads, threadsSource: wanted.source, notes };
      return current;
    }
    skipped.push({ name, reason });
  }
  const detail = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new EnvironmentError('E_BACKEND', `no usable TF.js backend for "${requested}" (${detail})`);
}

/** The backend selected so far, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/** cpu computes on the calling thread; TensorFlow sizes its own pool (every logical core). */
async function threadsInUse(name: BackendName, wanted: { threads: number; source: ThreadsSource }, notes: string[]): Promise<number> {
  if (name === 'wasm') return wasmThreadsInUse();
  // A count asked for explicitly that cannot apply is said; the default (every core) needs no word.
  const asked = wanted.source === 'default' ? undefined : `${wanted.threads} threads asked for by ${wanted.source}`;
  if (name === 'cpu') {
    if (asked && wanted.threads > 1) notes.push(`the cpu backend computes on one thread; ${asked}`);
    return 1;
  }
  const own = wasmThreading()?.defaultThreads() ?? wanted.threads;
  if (asked && wanted.threads !== own) notes.push(`TensorFlow sizes its own thread pool (${own} threads); ${asked}`);
  return own;
}

async function tryBackend(name: BackendName, threads: number, notes: string[]): Promise<string | undefined> {
  try {
    await import(PACKAGES[name]);
  } catch {
    return `${PACKAGES[name]} is not installed`;
  }
  const tfjsName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  try {
    if (name === 'wasm') return await startWasm(threads, notes);
    if (!(await tf.setBackend(tfjsName))) return `TF.js could not initialise "${tfjsName}"`;
    await tf.ready();
    // The cpu backend's first tensor prints a banner recommending tfjs-node; archbundle reports
    // its backend choice itself (and tfjs-node is used automatically when installed).
    if (tfjsName === 'cpu') hideCpuBanner();
  } catch (error) {
    return `TF.js could not initialise "${tfjsName}": ${(error as Error).message}`;
  }
  return undefined;
}
