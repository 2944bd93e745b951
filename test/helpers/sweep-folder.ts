/** A sweep's output folder as the tests read it back: sweep.json, each run's run.json, a run's id by model class. */
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
