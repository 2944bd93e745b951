/**
 * How many threads a backend gets, and the hook through which a platform lends the wasm backend
 * its threads. TF.js's threaded wasm build needs workers over a shared heap; how to start them is
 * the platform's business (Node: src/node/backend/wasm-threads.ts), so this layer only knows the
 * count, where it came from, and whether some platform support has been installed.
 */
import { EnvironmentError } from '../../core/errors.js';

/** Where the thread count came from, strongest first. */
export type ThreadsSource = 'argument' | 'ARCHBUNDLE_THREADS' | 'config' | 'default';

export interface ThreadsOptions {
  /** `--threads N` or a caller's explicit count: beats everything. */
  threads?: number;
  /** The config file's `threads`: used when neither the argument nor ARCHBUNDLE_THREADS is set. */
  configThreads?: number;
}

/** What a platform provides so the wasm backend can run its threaded build. */
export interface WasmThreading {
  /** The count when nothing asks for one: every logical core the process may use. */
  defaultThreads(): number;
  /**
   * Makes the next wasm initialisation start the threaded build with `threads` threads (workers,
   * the thread cap); throws when this platform cannot (no SharedArrayBuffer). `failure` settles
   * with a reason if a worker fails while the build starts; `abandon` ends the workers of a start
   * given up; `finish` undoes what was changed only for the start.
   */
  prepare(threads: number): ThreadedStart;
}

export interface ThreadedStart {
  failure: Promise<string>;
  abandon(): void;
  finish(): void;
}

let threading: WasmThreading | undefined;

/** Installed once by the platform layer (Node: importing src/node/backend/wasm-threads.ts). */
export function registerWasmThreading(support: WasmThreading): void {
  threading = support;
}

export function wasmThreading(): WasmThreading | undefined {
  return threading;
}

/** Parses a count from the environment or a flag: a whole number ≥ 1, else E_BACKEND naming it. */
export function parseThreads(text: string, origin: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new EnvironmentError('E_BACKEND', `${origin} must be a whole number of threads ≥ 1, received "${text}"`);
  }
  return value;
}

/** The count asked for and its source: argument, then ARCHBUNDLE_THREADS, then config, then the platform's default (1 without one). */
export function requestedThreads(options: ThreadsOptions = {}): { threads: number; source: ThreadsSource } {
  if (options.threads !== undefined) return { threads: checked(options.threads, 'the threads argument'), source: 'argument' };
  const fromEnv = process.env.ARCHBUNDLE_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') return { threads: parseThreads(fromEnv, 'ARCHBUNDLE_THREADS'), source: 'ARCHBUNDLE_THREADS' };
  if (options.configThreads !== undefined) return { threads: checked(options.configThreads, "the config's threads"), source: 'config' };
  return { threads: threading?.defaultThreads() ?? 1, source: 'default' };
}

function checked(value: number, origin: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new EnvironmentError('E_BACKEND', `${origin} must be a whole number of threads ≥ 1, received ${value}`);
  }
  return value;
}
