/**
 * A sweep's output folder as the tests read it back (sweep.json, each run's run.json, a run's id by
 * model class), and the pieces the local and queue sweep tests both build.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunRecord, SweepIndex } from '../../src/core/sweep/types.js';

export function sweepIndexIn(output: string): SweepIndex {
  return JSON.parse(readFileSync(path.join(output, 'sweep.json'), 'utf8')) as SweepIndex;
}

export function runRecordIn(output: string, id: string): RunRecord {
  return JSON.parse(readFileSync(path.join(output, id, 'run.json'), 'utf8')) as RunRecord;
}

/** The id of the sweep's run whose `model.class` axis is `modelClass` (asserted to exist). */
export function runIdOf(output: string, modelClass: string): string {
  const run = sweepIndexIn(output).runs.find((r) => r.axes['model.class'] === modelClass);
  assert.ok(run, `a ${modelClass} run in ${output}`);
  return run.id;
}

/** Whether a process is still there (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A sweep of two tiny MLP runs on synthetic data, the second with a rate that makes its loss non-finite. */
export function divergingSweep(): { base: object; grid: Record<string, unknown[]> } {
  const base = {
    model: { class: 'MLP', args: { classes: 4, resolution: [1, 8, 8], hidden: [8] } },
    data: { dataset: 'synthetic', synthetic: { train: 64, test: 16, classes: 4, resolution: [1, 8, 8] }, batchSize: 16 },
    optimizer: { class: 'SGD', args: { learningRate: 0.05 } },
    epochs: 2,
    output: 'out',
  };
  return { base, grid: { 'optimizer.args.learningRate': [0.05, 1e30] } };
}
