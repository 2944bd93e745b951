/** `--threads N`, the same on every command that runs a model, and how a backend's threads read. */
import type { BackendInfo } from '../../tfjs/backend/select.js';
import { UsageError } from './usage.js';

export const THREADS_OPTION = { threads: { type: 'string' } } as const;

/** What --threads says in each command's help (after the flag's padded name). */
export const THREADS_HELP = 'threads for the backend (default: ARCHBUNDLE_THREADS, else every core)';

/** The --threads value as a whole number ≥ 1, undefined when absent; anything else is a usage error. */
export function threadsFlag(value: unknown, command: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--threads must be a whole number >= 1, received "${text}"`, command);
  }
  return n;
}

/** "wasm (2 threads)": the backend with the threads it really computes with. */
export function backendWithThreads(info: BackendInfo): string {
  return `${info.name} (${info.threads} thread${info.threads === 1 ? '' : 's'})`;
}
