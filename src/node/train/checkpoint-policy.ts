import type { CheckpointPolicy } from '../../core/config.js';
import type { EpochMetrics } from '../../tfjs/train/loop.js';

export const BEST_BUNDLE = 'best.archbundle';

export function epochBundleName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}.archbundle`;
}

const EPOCH_BUNDLE = /^epoch-(\d{4,})\.archbundle$/;

/** The epoch an epoch bundle's file name stands for, or null for any other file. */
export function epochOfBundleName(name: string): number | null {
  const match = EPOCH_BUNDLE.exec(name);
  return match ? Number(match[1]) : null;
}

/** Whether an epoch's bundle is written: every N epochs, and always the final epoch. */
export function writesEpoch(policy: CheckpointPolicy, epoch: number, epochs: number): boolean {
  return epoch % policy.everyEpochs === 0 || epoch === epochs;
}

/** Epoch bundles to delete so only the newest `keepLast` remain (0 keeps all). */
export function bundlesToPrune(policy: CheckpointPolicy, writtenEpochs: readonly number[]): number[] {
  if (policy.keepLast === 0) return [];
  const sorted = [...writtenEpochs].sort((a, b) => a - b);
  return sorted.slice(0, Math.max(0, sorted.length - policy.keepLast));
}

/**
 * Whether `metrics` beats every earlier epoch in `history` on the policy's metric. An epoch
 * without the metric (e.g. val_accuracy with no validation split) never counts as best.
 */
export function isBest(policy: CheckpointPolicy, metrics: EpochMetrics, history: readonly EpochMetrics[]): boolean {
  if (!policy.keepBest) return false;
  const { metric, mode } = policy.keepBest;
  const value = metrics[metric];
  if (value === null || Number.isNaN(value)) return false;
  const better = (a: number, b: number) => (mode === 'max' ? a > b : a < b);
  return history.every((h) => h.epoch === metrics.epoch || h[metric] === null || better(value, h[metric]!));
}
