/**
 * The options bench:train's worker (bench/train-worker.ts) takes, declared once: bench:train
 * accepts the same ones and passes every one on, so the two cannot disagree on a name or default.
 */
export const TRAIN_WORKER_OPTIONS = {
  steps: { type: 'string', default: '4' },
  warmup: { type: 'string', default: '2' },
  batch: { type: 'string', default: '128' },
  channels: { type: 'string', default: '16' },
  'cpu-batch': { type: 'string', default: '2' },
  'cpu-steps': { type: 'string', default: '1' },
} as const;

/** The worker's command line for `values` (parsed with TRAIN_WORKER_OPTIONS among others). */
export function trainWorkerArgs(values: Record<keyof typeof TRAIN_WORKER_OPTIONS, string>): string[] {
  return Object.keys(TRAIN_WORKER_OPTIONS).flatMap((name) => [`--${name}`, values[name as keyof typeof TRAIN_WORKER_OPTIONS]]);
}
