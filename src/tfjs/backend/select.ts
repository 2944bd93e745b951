import * as tf from '@tensorflow/tfjs';
import type { BackendName, BackendRequest } from '../../core/config.js';
import { EnvironmentError } from '../../core/errors.js';
import { checkBackendInternals, hideCpuBanner } from './tfjs-internals.js';
import { registerWasmTrainingKernels } from './wasm-kernels/index.js';

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
}

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
 */
export async function selectBackend(request?: BackendRequest): Promise<BackendInfo> {
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
    const reason = await tryBackend(name);
    if (reason === undefined) {
      // Not a reason to try the next backend: a TF.js release that moved these fields needs the
      // pinned version installed, and falling back to a slower backend would hide that.
      await checkBackendInternals(tf.getBackend());
      for (const hook of setupHooks) await hook(name);
      current = { requested, source, name, tfjsName: tf.getBackend(), skipped };
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

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    await import(PACKAGES[name]);
  } catch {
    return `${PACKAGES[name]} is not installed`;
  }
  const tfjsName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  try {
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
