/** What `archbundle inspect` and the viewer show of a bundle's optimizer, made in one place. */
import type { OptimizerEntry } from './entries.js';

export interface OptimizerSummary {
  class: string;
  args: Record<string, unknown>;
  /** The rate in force when saved. */
  learningRate: number;
  step: number;
  /** Slot tensors (`<weight>/<slot>`) stored. */
  slots: number;
}

export function summarizeOptimizer(entry: OptimizerEntry | undefined): OptimizerSummary | null {
  if (!entry) return null;
  return { class: entry.class, args: entry.args, learningRate: entry.learningRate, step: entry.step, slots: entry.tensors.length };
}
