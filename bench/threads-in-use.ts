import { currentBackend, type BackendInfo } from '../src/index.js';

/**
 * The thread count the selected backend really runs with: `currentBackend().threads` where the
 * backend reports it; for wasm without that field, TF.js's own getThreadsCount(); otherwise 1.
 */
export async function threadsInUse(): Promise<number> {
  const info = currentBackend() as (BackendInfo & { threads?: number }) | undefined;
  if (!info) throw new Error('threadsInUse: no backend selected yet');
  if (typeof info.threads === 'number') return info.threads;
  if (info.name === 'wasm') return (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
  return 1;
}

/**
 * The count in use, after checking that it is the one asked for: a benchmark that silently ran at
 * another thread count than its peer would compare nothing, so it stops instead.
 */
export async function requireThreads(expected: number): Promise<number> {
  const used = await threadsInUse();
  if (used !== expected) {
    const info = currentBackend()!;
    throw new Error(`asked for ${expected} thread(s) (ARCHBUNDLE_THREADS=${process.env.ARCHBUNDLE_THREADS ?? 'unset'}), but backend ${info.name} (${info.tfjsName}) runs ${used}; the comparison with PyTorch at ${expected} would be unfair, so the bench stops`);
  }
  return used;
}

/** The thread count a parent bench passes to its child through ARCHBUNDLE_THREADS. */
export function threadsFromEnv(): number {
  const n = Number(process.env.ARCHBUNDLE_THREADS);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ARCHBUNDLE_THREADS must be set to a whole number ≥ 1, received "${process.env.ARCHBUNDLE_THREADS ?? ''}"`);
  return n;
}
