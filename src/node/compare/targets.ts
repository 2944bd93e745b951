/**
 * What `archbundle compare` compares, from its arguments: a bundle file is itself; a run folder
 * (one holding bundles) is its best.archbundle, else its newest epoch bundle; a sweep folder
 * (holding sweep.json) is each of its runs, with the run's record; any other folder is each of
 * its sub-folders that is a run folder. Only names are looked at here: bundles are read later.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../../core/errors.js';
import { readSweepFolder, SWEEP_INDEX, type SweepRun } from './sweep-records.js';

export const BEST_BUNDLE = 'best.archbundle';
const EPOCH_BUNDLE = /^epoch-(\d+)\.archbundle$/;

export interface CompareTarget {
  /** As shown: the bundle's path as given (or found), or a bundle-less run's folder. */
  name: string;
  /** Absolute path of the bundle to read, or null for a sweep run without one. */
  bundle: string | null;
  /** The folder whose metrics.jsonl belongs to the bundle. */
  folder: string;
  run?: SweepRun;
}

export interface Targets {
  targets: CompareTarget[];
  /** Every sweep axis met, in order of first appearance. */
  axes: string[];
}

export async function resolveTargets(inputs: readonly string[], cwd: string): Promise<Targets> {
  const targets: CompareTarget[] = [];
  const axes: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    let isFolder: boolean;
    try {
      isFolder = (await stat(absolute)).isDirectory();
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message;
      throw new EnvironmentError('E_IO', `cannot compare ${input}: expected a bundle, a run folder or a folder of runs, ${why}`, [], { cause: error });
    }
    if (!isFolder) {
      targets.push({ name: input, bundle: absolute, folder: path.dirname(absolute) });
      continue;
    }
    const entries = await list(absolute);
    if (entries.some((e) => e.isFile() && e.name === SWEEP_INDEX)) {
      const sweep = await readSweepFolder(absolute);
      for (const axis of sweep.axes) if (!axes.includes(axis)) axes.push(axis);
      for (const run of sweep.runs) {
        const folder = path.join(absolute, run.id);
        const bundle = runBundle(await list(folder, { missingOk: true }));
        const shown = path.join(input, run.id);
        targets.push({ name: bundle ? path.join(shown, bundle) : shown, bundle: bundle ? path.join(folder, bundle) : null, folder, run });
      }
      continue;
    }
    const own = runBundle(entries);
    if (own) {
      targets.push({ name: path.join(input, own), bundle: path.join(absolute, own), folder: absolute });
      continue;
    }
    const found: CompareTarget[] = [];
    // a folder of loose bundles (no run's names): each of them
    for (const name of entries.filter(isBundleFile).map((e) => e.name).sort(naturalOrder)) {
      found.push({ name: path.join(input, name), bundle: path.join(absolute, name), folder: absolute });
    }
    if (found.length > 0) {
      targets.push(...found);
      continue;
    }
    for (const sub of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules').sort(byName)) {
      const bundle = runBundle(await list(path.join(absolute, sub.name)));
      if (bundle) found.push({ name: path.join(input, sub.name, bundle), bundle: path.join(absolute, sub.name, bundle), folder: path.join(absolute, sub.name) });
    }
    if (found.length === 0) throw new EnvironmentError('E_IO', `cannot compare ${input}: no .archbundle files in it or in its sub-folders, and no ${SWEEP_INDEX}`);
    targets.push(...found);
  }
  return { targets, axes };
}

/** A run folder's bundle to compare: best.archbundle, else the epoch bundle of the highest epoch, else null. */
function runBundle(entries: readonly Dirent[]): string | null {
  const files = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
  if (files.includes(BEST_BUNDLE)) return BEST_BUNDLE;
  let newest: { name: string; epoch: number } | null = null;
  for (const name of files) {
    const match = EPOCH_BUNDLE.exec(name);
    if (match && (!newest || Number(match[1]) > newest.epoch)) newest = { name, epoch: Number(match[1]) };
  }
  return newest?.name ?? null;
}

async function list(folder: string, options: { missingOk?: boolean } = {}): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (options.missingOk && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EnvironmentError('E_IO', `cannot list folder ${folder}: ${(error as Error).message}`, [], { cause: error });
  }
}

function isBundleFile(entry: Dirent): boolean {
  return (entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith('.archbundle') && !entry.name.startsWith('.');
}

/** Natural order, so run-2 comes before run-10. */
function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function byName(a: Dirent, b: Dirent): number {
  return naturalOrder(a.name, b.name);
}
