import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatasetSpec } from './catalog.js';

/** The data roots searched, in order; each can be replaced (tests do) or left to the defaults. */
export interface SearchRoots {
  /** --data-dir or the config's data.dataDir. */
  dataDir?: string | null;
  /** Defaults to $ARCHBUNDLE_DATA. */
  envDir?: string | null;
  /** Debian's dataset packages install here; defaults to /usr/share/datasets. */
  systemDir?: string | null;
  /** Where downloads go; defaults to $ARCHBUNDLE_CACHE, else $XDG_CACHE_HOME/archbundle, else ~/.cache/archbundle. */
  cacheDir?: string | null;
}

export interface Candidate {
  /** A folder that may hold the dataset files directly. */
  dir: string;
  /** Which search root it comes from, for error messages. */
  origin: '--data-dir' | 'ARCHBUNDLE_DATA' | 'system' | 'cache';
}

export function defaultCacheDir(): string {
  if (process.env.ARCHBUNDLE_CACHE) return path.resolve(process.env.ARCHBUNDLE_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'archbundle');
}

export function resolveRoots(roots: SearchRoots): Required<{ [K in keyof SearchRoots]: string | null }> {
  return {
    dataDir: roots.dataDir ?? null,
    envDir: roots.envDir === undefined ? process.env.ARCHBUNDLE_DATA || null : roots.envDir,
    systemDir: roots.systemDir === undefined ? '/usr/share/datasets' : roots.systemDir,
    cacheDir: roots.cacheDir === undefined ? defaultCacheDir() : roots.cacheDir,
  };
}

/** Every folder that may hold the dataset, in search order. */
export function candidateDirs(spec: DatasetSpec, roots: SearchRoots): Candidate[] {
  const r = resolveRoots(roots);
  const out: Candidate[] = [];
  const add = (root: string | null, origin: Candidate['origin'], includeRoot: boolean) => {
    if (!root) return;
    const bases = includeRoot ? [root, path.join(root, spec.folder)] : [path.join(root, spec.folder)];
    for (const base of bases) {
      out.push({ dir: base, origin });
      for (const nested of spec.nested) out.push({ dir: path.join(base, nested), origin });
    }
  };
  add(r.dataDir, '--data-dir', true);
  add(r.envDir, 'ARCHBUNDLE_DATA', true);
  add(r.systemDir, 'system', false);
  add(r.cacheDir, 'cache', false);
  return out;
}

/** The path of `name` in `dir`, plain or gzipped, if it exists. */
export function findFile(dir: string, name: string): string | undefined {
  for (const candidate of [path.join(dir, name), path.join(dir, `${name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The first candidate folder holding every file of the dataset. */
export function locate(spec: DatasetSpec, roots: SearchRoots): { dir: string; files: string[] } | undefined {
  for (const { dir } of candidateDirs(spec, roots)) {
    const files = spec.files.map((f) => findFile(dir, f));
    if (files.every((f): f is string => f !== undefined)) return { dir, files };
  }
  return undefined;
}
