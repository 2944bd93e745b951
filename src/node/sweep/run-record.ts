/** `<output>/<run id>/run.json`: one run's state, written atomically by whoever runs the run. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArchbundleError } from '../../core/errors.js';
import type { ResolvedRun, ResolvedSweep, RunRecord } from '../../core/sweep/types.js';
import { writeFileAtomic } from '../files/atomic-file.js';

export const RUN_FILE = 'run.json';

export function runFolder(sweep: Pick<ResolvedSweep, 'output'>, runId: string): string {
  return path.join(sweep.output, runId);
}

/** The run's record, or null when it has none yet. */
export async function readRunRecord(folder: string): Promise<RunRecord | null> {
  const file = path.join(folder, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ArchbundleError('E_IO', `cannot read ${file}: ${(error as Error).message}`, [], { cause: error });
  }
  try {
    return JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new ArchbundleError('E_INVALID_CONFIG', `${file} is not JSON: ${(error as Error).message}`, [], { cause: error });
  }
}

export async function writeRunRecord(folder: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(path.join(folder, RUN_FILE), [new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`)]);
}

/** The record of a run that has not started: queued, no attempts. */
export function queuedRecord(sweep: Pick<ResolvedSweep, 'id'>, run: ResolvedRun): RunRecord {
  return { id: run.id, sweep: sweep.id, axes: run.axes, config: run.config, state: 'queued', attempts: 0, epochsDone: 0 };
}
