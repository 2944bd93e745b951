/**
 * `<output>/sweep.json`: the sweep's id, file and axes, and every run's summary, rebuilt from the
 * runs' run.json files (each run's own record is the truth; the index is derived and may be
 * rewritten at any time). The sweep id in it also says which sweep owns the folder.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ArchbundleError } from '../../core/errors.js';
import type { ResolvedSweep, RunSummary, SweepIndex } from '../../core/sweep/types.js';
import { readJsonFile, writeJsonFile } from '../files/json-file.js';
import { queuedRecord, readRunRecord, runFolder } from './run-record.js';

export const INDEX_FILE = 'sweep.json';

/** The folder's sweep.json, or null when it has none. */
export async function readSweepIndex(output: string): Promise<SweepIndex | null> {
  return readJsonFile<SweepIndex>(path.join(output, INDEX_FILE), { code: 'E_SWEEP', expected: 'a sweep index' });
}

/**
 * Claims the output folder for this sweep: writes sweep.json when the folder has none, accepts
 * one with the same sweep id, and refuses (E_SWEEP) a folder that another sweep owns.
 */
export async function claimOutput(sweep: ResolvedSweep): Promise<SweepIndex> {
  const existing = await readSweepIndex(sweep.output);
  if (existing && existing.sweep?.id !== sweep.id) {
    throw new ArchbundleError(
      'E_SWEEP',
      `output folder ${sweep.output} belongs to another sweep (id ${String(existing.sweep?.id)}, from ${ownerFile(sweep.output, existing)}); ` +
        `this sweep's id is ${sweep.id} (its runs differ); choose another --output or remove that folder`,
    );
  }
  await mkdir(sweep.output, { recursive: true });
  const header: SweepIndex['sweep'] = existing?.sweep ?? {
    id: sweep.id,
    file: path.relative(sweep.output, sweep.file),
    axes: sweep.axes,
    createdAt: new Date().toISOString(),
  };
  const runs: RunSummary[] = sweep.runs.map((run) => summary(queuedRecord(sweep, run)));
  return writeIndex(sweep.output, { sweep: header, runs: await withRecords(sweep.output, runs) });
}

/** The owning sweep's file, as an absolute path (sweep.json holds it relative to the folder). */
function ownerFile(output: string, index: SweepIndex): string {
  return typeof index.sweep?.file === 'string' ? path.resolve(output, index.sweep.file) : 'an unknown file';
}

/** Rebuilds `<output>/sweep.json` from its runs' run.json files (runs without one stay as listed). */
export async function refreshIndex(output: string): Promise<SweepIndex> {
  const index = await readSweepIndex(output);
  if (!index) throw new ArchbundleError('E_SWEEP', `${path.join(output, INDEX_FILE)} does not exist: ${output} holds no sweep`);
  return writeIndex(output, { sweep: index.sweep, runs: await withRecords(output, index.runs) });
}

async function withRecords(output: string, runs: readonly RunSummary[]): Promise<RunSummary[]> {
  return Promise.all(
    runs.map(async (listed) => {
      const record = await readRunRecord(runFolder({ output }, listed.id));
      return record ? summary(record) : listed;
    }),
  );
}

function summary(record: RunSummary & { sweep?: string }): RunSummary {
  const { sweep: _sweep, ...rest } = record;
  return rest;
}

async function writeIndex(output: string, index: SweepIndex): Promise<SweepIndex> {
  await writeJsonFile(path.join(output, INDEX_FILE), index);
  return index;
}
