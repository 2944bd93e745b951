import os from 'node:os';
import { EnvironmentError } from '../../core/errors.js';

/**
 * The thread count an engine computes with: the caller's explicit count (`--threads`, the
 * config's `threads`), else ARCHBUNDLE_THREADS, else every core this process may use.
 */
export function engineThreads(env: NodeJS.ProcessEnv = process.env, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  const fromEnv = env.ARCHBUNDLE_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1) throw new EnvironmentError('E_BACKEND', `ARCHBUNDLE_THREADS must be a whole number of threads ≥ 1, received ${JSON.stringify(fromEnv)}`);
    return n;
  }
  return os.availableParallelism();
}
