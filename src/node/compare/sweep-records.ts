/**
 * A sweep folder's records as `compare` reads them: `<folder>/sweep.json` (the sweep's axes and
 * its runs) and each run's `<folder>/<id>/run.json`, which is the fresher record while the sweep
 * is running (sweep.json is rebuilt from the run.json files; see docs/sweeps.md). Only the
 * fields compare shows are taken, each checked, so a malformed file is one clear error.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArchbundleError } from '../../core/errors.js';
import type { LeaderboardRun } from '../../core/compare/leaderboard.js';

export const SWEEP_INDEX = 'sweep.json';
export const RUN_RECORD = 'run.json';

export interface SweepRun extends LeaderboardRun {
  /** Training time summed over the run's epochs, as its runner recorded it. */
  trainSeconds?: number;
}

export interface SweepFolder {
  id: string;
  axes: string[];
  runs: SweepRun[];
}

/** Reads `<folder>/sweep.json` and every listed run's run.json (E_SWEEP when sweep.json is malformed). */
export async function readSweepFolder(folder: string): Promise<SweepFolder> {
  const file = path.join(folder, SWEEP_INDEX);
  const index = await readJson(file);
  const header = index?.sweep as Record<string, unknown> | undefined;
  const axes = header?.axes;
  if (!header || typeof header.id !== 'string' || !Array.isArray(axes) || !axes.every((a) => typeof a === 'string') || !Array.isArray(index?.runs)) {
    throw new ArchbundleError('E_SWEEP', `${file} is not a sweep index: expected {"sweep": {"id", "axes": [key paths]}, "runs": [...]}`);
  }
  const runs: SweepRun[] = [];
  for (const [i, listed] of (index.runs as unknown[]).entries()) {
    const summary = runFields(listed, `${file} /runs/${i}`);
    const record = await readJson(path.join(folder, summary.id, RUN_RECORD), { missingOk: true });
    runs.push(record ? runFields(record, path.join(folder, summary.id, RUN_RECORD)) : summary);
  }
  return { id: header.id, axes: axes as string[], runs };
}

function runFields(value: unknown, where: string): SweepRun {
  const r = value as Record<string, unknown> | null;
  if (!r || typeof r !== 'object' || typeof r.id !== 'string' || !/^[0-9a-f]{12}$/.test(r.id) || typeof r.state !== 'string') {
    throw new ArchbundleError('E_SWEEP', `${where}: expected a run with "id" (12 hex digits) and "state", received ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  const axes = r.axes && typeof r.axes === 'object' && !Array.isArray(r.axes) ? (r.axes as Record<string, unknown>) : {};
  return {
    id: r.id,
    state: r.state,
    axes,
    ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
    ...(typeof r.code === 'string' ? { code: r.code } : {}),
    ...(typeof r.trainSeconds === 'number' && Number.isFinite(r.trainSeconds) ? { trainSeconds: r.trainSeconds } : {}),
  };
}

async function readJson(file: string, options: { missingOk?: boolean } = {}): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (options.missingOk && (error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ArchbundleError('E_IO', `cannot read ${file}: ${(error as Error).message}`, [], { cause: error });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ArchbundleError('E_SWEEP', `${file} is not JSON: ${(error as Error).message}`, [], { cause: error });
  }
}
