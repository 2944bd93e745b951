/**
 * The TF.js backend of the viewer's in-browser inference: wasm by default (the build copies its
 * .wasm files next to the page), cpu when wasm cannot load (a page opened from file:// cannot
 * fetch them), or what `?backend=cpu|wasm|webgl` asks for. Chosen once per page.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { EnvironmentError } from '../../core/errors.js';
import { checkBackendInternals, hideCpuBanner } from '../../tfjs/backend/tfjs-internals.js';
import { registerWasmTrainingKernels } from '../../tfjs/backend/wasm-kernels/index.js';
import { exclusive } from './tf-lock.js';

export const BROWSER_BACKENDS = ['wasm', 'cpu', 'webgl'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];

export interface BrowserBackendInfo {
  name: BrowserBackend;
  /** Where the choice came from. */
  requested: BrowserBackend | 'default';
  /** Why the preferred backend was not used, when it was not. */
  fallback: string | null;
}

let chosen: Promise<BrowserBackendInfo> | undefined;

/** The backend in use, selecting it on the first call (from the page's `?backend=` parameter). */
export function browserBackend(): Promise<BrowserBackendInfo> {
  chosen ??= exclusive(() => select(new URLSearchParams(globalThis.location?.search ?? '').get('backend')));
  return chosen;
}

async function select(parameter: string | null): Promise<BrowserBackendInfo> {
  if (parameter !== null && !(BROWSER_BACKENDS as readonly string[]).includes(parameter)) {
    throw new EnvironmentError('E_BACKEND', `?backend=${parameter} is not a backend the viewer knows; expected one of ${BROWSER_BACKENDS.join(', ')}`);
  }
  const requested = (parameter ?? 'default') as BrowserBackend | 'default';
  const preferred: BrowserBackend = requested === 'default' ? 'wasm' : requested;
  const failure = await tryBackend(preferred);
  if (failure === undefined) return { name: preferred, requested, fallback: null };
  if (preferred === 'cpu' || (await tryBackend('cpu')) !== undefined) {
    throw new EnvironmentError('E_BACKEND', `no usable TF.js backend: ${preferred}: ${failure}`);
  }
  return { name: 'cpu', requested, fallback: `${preferred}: ${failure}` };
}

async function tryBackend(name: BrowserBackend): Promise<string | undefined> {
  try {
    // the .wasm files lie next to the page (the build copies them there)
    if (name === 'wasm') setWasmPaths(new URL('./', globalThis.location.href).href);
    if (!(await tf.setBackend(name))) {
      const hint = name === 'wasm' && globalThis.location?.protocol === 'file:' ? ' (a page opened from a file cannot load its .wasm files)' : '';
      return `TF.js could not initialise it${hint}`;
    }
    await tf.ready();
  } catch (error) {
    return (error as Error).message;
  }
  await checkBackendInternals(name);
  if (name === 'cpu') hideCpuBanner();
  // the kernels `archbundle predict` runs on Node's wasm backend, so both compute the same logits
  if (name === 'wasm') registerWasmTrainingKernels();
  return undefined;
}
