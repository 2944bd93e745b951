/**
 * What a run's folder holds between attempts: the newest epoch bundle to resume from, temp
 * files a killed process left behind, and metrics.jsonl lines written after that bundle.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAtomicWriteTemp } from '../files/atomic-file.js';
import { epochOfBundleName } from '../train/checkpoint-policy.js';

export const METRICS_FILE = 'metrics.jsonl';

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The epoch bundle with the highest epoch, or null. Writes are atomic, so any bundle present is whole. */
export async function newestEpochBundle(folder: string): Promise<{ file: string; epoch: number } | null> {
  let newest: { file: string; epoch: number } | null = null;
  for (const name of await names(folder)) {
    const epoch = epochOfBundleName(name);
    if (epoch !== null && (!newest || epoch > newest.epoch)) newest = { file: path.join(folder, name), epoch };
  }
  return newest;
}

/** Removes the temp files of writes that never finished (a process killed mid-checkpoint). */
export async function removeStaleTemps(folder: string): Promise<string[]> {
  const stale = (await names(folder)).filter(isAtomicWriteTemp);
  await Promise.all(stale.map((name) => rm(path.join(folder, name), { force: true })));
  return stale;
}

/**
 * Keeps metrics.jsonl's epoch lines up to `epoch` (the bundle being resumed from) and drops the
 * rest: epochs the resumed run will train again, and a test line of an earlier attempt. With
 * `epoch` 0 the file is removed: the run starts over.
 */
export async function trimMetrics(folder: string, epoch: number): Promise<void> {
  const file = path.join(folder, METRICS_FILE);
  if (epoch === 0) return void (await rm(file, { force: true }));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const kept = text.split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      const record = JSON.parse(line) as { type?: string; epoch?: number };
      return record.type === 'epoch' && typeof record.epoch === 'number' && record.epoch <= epoch;
    } catch {
      return false; // a line cut short by a kill
    }
  });
  await writeFile(file, kept.map((line) => `${line}\n`).join(''));
}
