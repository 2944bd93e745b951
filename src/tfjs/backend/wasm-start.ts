/**
 * Starting TF.js's wasm backend with a thread count. One thread: the single-thread SIMD build,
 * as always. More: the threaded SIMD build, which TF.js refuses outside browsers
 * (WASM_HAS_MULTITHREAD_SUPPORT is false under Node), so the flag is overridden here and the
 * platform's WasmThreading starts the pthread workers. When that build cannot start, the
 * single-thread build is started instead and a note says why: never silently.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmThreading, type WasmThreading } from './threads.js';

/**
 * TF.js's threaded build pre-creates eight pool workers and backend.cc caps its pool at eight
 * threads: a larger count runs with eight.
 */
export const WASM_MAX_THREADS = 8;

/** A threaded start that neither finishes nor fails in this time is given up. */
const THREADED_START_TIMEOUT_MS = 60_000;

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/**
 * Sets the wasm backend with `threads` threads (or as near as this platform allows, with notes),
 * or returns why it could not be started. The backend starts once per process: later calls
 * keep its first count and say so when another is asked for.
 */
export function startWasm(threads: number, notes: string[]): Promise<string | undefined> {
  // One start at a time: selections made at once (a server's first requests) would otherwise
  // start the backend twice, and TF.js fails the first of two overlapping initialisations.
  const run = queue.then(() => start(threads, notes));
  queue = run.catch(() => undefined);
  return run;
}

let queue: Promise<unknown> = Promise.resolve();

async function start(threads: number, notes: string[]): Promise<string | undefined> {
  const wasm: WasmPackage = await import('@tensorflow/tfjs-backend-wasm');
  if (isStarted()) {
    if (!(await tf.setBackend('wasm'))) return 'TF.js could not initialise "wasm"';
    const inUse = wasm.getThreadsCount();
    if (inUse !== threads) notes.push(`the wasm backend was started earlier in this process with ${plural(inUse)}; ${plural(threads)} need a new process`);
    return undefined;
  }
  if (threads > 1) {
    const support = wasmThreading();
    if (!support) {
      notes.push(`${plural(threads)} asked for, but this platform has no wasm threading support installed; using the single-thread SIMD build`);
    } else {
      const failure = await startThreaded(wasm, support, threads);
      if (failure === undefined) {
        const inUse = wasm.getThreadsCount();
        if (inUse !== threads) notes.push(`${plural(threads)} asked for; TF.js's threaded wasm build runs at most ${WASM_MAX_THREADS}, so ${inUse}`);
        return undefined;
      }
      notes.push(`the threaded wasm build could not start (${failure}); using the single-thread SIMD build`);
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) return 'TF.js could not initialise "wasm"';
  await tf.ready();
  return undefined;
}

/** XNNPACK's thread count, as the wasm backend reports it (1 for the single-thread builds). */
export async function wasmThreadsInUse(): Promise<number> {
  const wasm: WasmPackage = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

/** Whether TF.js holds an initialised wasm backend (findBackend would start one). */
function isStarted(): boolean {
  return tf.engine().registry.wasm !== undefined;
}

async function startThreaded(wasm: WasmPackage, support: WasmThreading, threads: number): Promise<string | undefined> {
  let attempt: ReturnType<WasmThreading['prepare']>;
  try {
    attempt = support.prepare(threads);
  } catch (error) {
    return (error as Error).message;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer from its workers within ${THREADED_START_TIMEOUT_MS / 1000} s`), THREADED_START_TIMEOUT_MS);
  });
  try {
    const started = tf.setBackend('wasm').then(
      (ok) => (ok ? undefined : 'TF.js could not initialise it'),
      (error: Error) => error.message,
    );
    const failure = await Promise.race([started, attempt.failure, timeout]);
    if (failure !== undefined) {
      attempt.abandon();
      return failure;
    }
    await tf.ready();
    return undefined;
  } finally {
    clearTimeout(timer);
    attempt.finish();
  }
}

function plural(threads: number): string {
  return `${threads} thread${threads === 1 ? '' : 's'}`;
}
