/** `<output>/<run id>/run.json`: one run's state, written atomically by whoever runs the run. */
import path from 'node:path';
import type { ResolvedRun, ResolvedSweep, RunRecord } from '../../core/sweep/types.js';
import { readJsonFile, writeJsonFile } from '../files/json-file.js';

export const RUN_FILE = 'run.json';

export function runFolder(sweep: Pick<ResolvedSweep, 'output'>, runId: string): string {
  return path.join(sweep.output, runId);
}

/** The run's record, or null when it has none yet. */
export async function readRunRecord(folder: string): Promise<RunRecord | null> {
  return readJsonFile<RunRecord>(path.join(folder, RUN_FILE), { code: 'E_INVALID_CONFIG', expected: "a run's record" });
}

export async function writeRunRecord(folder: string, record: RunRecord): Promise<void> {
  await writeJsonFile(path.join(folder, RUN_FILE), record);
}

/** The record of a run that has not started: queued, no attempts. */
export function queuedRecord(sweep: Pick<ResolvedSweep, 'id'>, run: ResolvedRun): RunRecord {
  return { id: run.id, sweep: sweep.id, axes: run.axes, config: run.config, state: 'queued', attempts: 0, epochsDone: 0 };
}
