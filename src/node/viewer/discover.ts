/**
 * What `archbundle view` shows: the bundles named on the command line or found in the folders
 * named (and one level of their sub-folders, so `archbundle view runs` shows every run), and each
 * folder's metrics.jsonl as a run. Only the file system is looked at: bundles are listed, never
 * read here (the browser reads and checks them with the core reader).
 */
import { createHash } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { EnvironmentError } from '../../core/errors.js';
import type { SessionBundle, SessionRun } from '../../core/viewer-protocol.js';
import { readMetricsFile } from './metrics-file.js';

export const BUNDLE_EXTENSION = '.archbundle';
export const METRICS_FILE = 'metrics.jsonl';

/** A listed bundle with the absolute path the server streams it from. */
export interface ListedBundle extends SessionBundle {
  file: string;
}

export interface Discovery {
  bundles: ListedBundle[];
  runs: SessionRun[];
  /** Things worth a line in the server's log (skipped metrics lines, empty folders). */
  notes: string[];
}

/**
 * Lists `inputs` (files or folders, relative to `cwd`; none means `cwd` itself). A path that does
 * not exist is E_IO. Ids come from the resolved path, so a page reloaded after a restart of the
 * server still names the same bundles.
 */
export async function discover(inputs: readonly string[], cwd: string): Promise<Discovery> {
  const given = inputs.length === 0 ? ['.'] : inputs;
  const files = new Map<string, string>(); // absolute path → path for display
  const folders = new Map<string, string>(); // folders that may hold a run, absolute → display
  const notes: string[] = [];
  for (const input of given) {
    const absolute = path.resolve(cwd, input);
    const info = await statOrFail(absolute, input);
    if (info.isDirectory()) {
      const found = await listFolder(absolute, input, folders);
      if (found.length === 0) notes.push(`${input}: no ${BUNDLE_EXTENSION} files here or in its sub-folders`);
      for (const [file, display] of found) files.set(file, display);
    } else {
      // A file named on the command line is served whatever its extension.
      files.set(absolute, input);
      const folder = path.dirname(absolute);
      if (!folders.has(folder)) folders.set(folder, path.dirname(input));
    }
  }
  const runs: SessionRun[] = [];
  const runOf = new Map<string, string>();
  for (const [folder, display] of [...folders].sort(([a], [b]) => compareNames(a, b))) {
    const metrics = await readMetricsFile(path.join(folder, METRICS_FILE));
    const holdsBundles = [...files.keys()].some((f) => path.dirname(f) === folder);
    if (!metrics && !holdsBundles) continue;
    if (metrics) notes.push(...metrics.skipped);
    const id = `run-${shortHash(folder)}`;
    runOf.set(folder, id);
    runs.push({ id, folder: display, metrics: metrics?.records ?? [] });
  }
  const bundles: ListedBundle[] = [];
  for (const [file, display] of [...files].sort(([a], [b]) => compareNames(a, b))) {
    const info = await statOrFail(file, display);
    if (!info.isFile()) continue;
    bundles.push({
      id: `b-${shortHash(file)}`,
      name: path.basename(file),
      path: display,
      bytes: info.size,
      modified: info.mtime.toISOString(),
      run: runOf.get(path.dirname(file)) ?? null,
      file,
    });
  }
  return { bundles, runs, notes };
}

/** The bundles of `folder` and of its sub-folders (one level); every folder looked at is a possible run. */
async function listFolder(folder: string, display: string, folders: Map<string, string>): Promise<[string, string][]> {
  const found: [string, string][] = [];
  folders.set(folder, display);
  for (const entry of await readFolder(folder)) {
    const absolute = path.join(folder, entry.name);
    const shown = path.join(display, entry.name);
    if (isBundleEntry(entry)) found.push([absolute, shown]);
    else if (entry.isDirectory() && isRunFolderName(entry.name)) {
      folders.set(absolute, shown);
      for (const inner of await readFolder(absolute)) {
        if (isBundleEntry(inner)) found.push([path.join(absolute, inner.name), path.join(shown, inner.name)]);
      }
    }
  }
  return found;
}

function isBundleEntry(entry: Dirent): boolean {
  return (entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith(BUNDLE_EXTENSION) && !entry.name.startsWith('.');
}

/** Hidden folders (.git) and node_modules hold no runs and can be huge. */
function isRunFolderName(name: string): boolean {
  return !name.startsWith('.') && name !== 'node_modules';
}

async function readFolder(folder: string): Promise<Dirent[]> {
  try {
    return await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw new EnvironmentError('E_IO', `cannot list folder ${folder}: ${(error as Error).message}`, [], { cause: error });
  }
}

async function statOrFail(absolute: string, shown: string): Promise<Stats> {
  try {
    return await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or folder' : (error as Error).message;
    throw new EnvironmentError('E_IO', `cannot view ${shown}: expected a bundle file or a folder, ${why}`, [], { cause: error });
  }
}

/** Natural order, so epoch-2 comes before epoch-10. */
function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
