import { currentBackend } from '../src/index.js';

/** The thread count the selected backend really computes with (`currentBackend().threads`). */
export function threadsInUse(): number {
  const info = currentBackend();
  if (!info) throw new Error('threadsInUse: no backend selected yet');
  return info.threads;
}

/**
 * The count in use, after checking that it is the one asked for: a benchmark that silently ran at
 * another thread count than its peer would compare nothing, so it stops instead.
 */
export function requireThreads(expected: number): number {
  const info = currentBackend();
  const used = threadsInUse();
  if (used !== expected) {
    const notes = info?.notes?.length ? ` (${info.notes.join('; ')})` : '';
    throw new Error(`asked for ${expected} thread(s) (ARCHBUNDLE_THREADS=${process.env.ARCHBUNDLE_THREADS ?? 'unset'}), but backend ${info!.name} (${info!.tfjsName}) runs ${used}${notes}; the comparison with PyTorch at ${expected} would be unfair, so the bench stops`);
  }
  return used;
}

/** The thread count a parent bench passes to its child through ARCHBUNDLE_THREADS. */
export function threadsFromEnv(): number {
  const n = Number(process.env.ARCHBUNDLE_THREADS);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ARCHBUNDLE_THREADS must be set to a whole number ≥ 1, received "${process.env.ARCHBUNDLE_THREADS ?? ''}"`);
  return n;
}
