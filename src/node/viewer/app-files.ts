/**
 * Where the viewer's built browser app lives (dist/viewer/: index.html, app.js, report.js,
 * app.css, *.wasm, made by scripts/build-viewer.ts with esbuild). Installed from npm, the package
 * ships it built. In a checkout it is built on demand: when missing, or older than the sources it
 * is built from, so `archbundle view` never serves an app that does not match the code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EnvironmentError } from '../../core/errors.js';

/** The files the server and the report writer need from the build. */
export const APP_FILES = ['index.html', 'app.js', 'report.js', 'app.css'] as const;

/** Sources the app is bundled from (relative to the package root): a newer one makes the build stale. */
const SOURCES = ['src/viewer', 'src/core', 'src/tfjs', 'scripts/build-viewer.ts'];
const BUILD_SCRIPT = 'scripts/build-viewer.ts';

export interface AppFolderOptions {
  /** ARCHBUNDLE_VIEWER_DIR: a built app elsewhere (development, tests); used as it is, never built. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines ("viewer: built dist/viewer"). */
  log?: (line: string) => void;
}

/**
 * The folder of the built app, built first in a checkout when needed; E_IO when an installed
 * package lacks it or a build fails.
 */
export async function appFolder(options: AppFolderOptions = {}): Promise<string> {
  const override = options.env?.ARCHBUNDLE_VIEWER_DIR;
  if (override) return checked(path.resolve(override), 'ARCHBUNDLE_VIEWER_DIR');
  const root = packageRoot();
  const dir = path.join(root, 'dist', 'viewer');
  const script = path.join(root, BUILD_SCRIPT);
  if (!existsSync(script)) return checked(dir, 'the installed package');
  const reason = staleness(root, dir);
  if (reason) {
    await build(script, dir, reason);
    options.log?.(`viewer: built ${path.relative(root, dir) || dir} (${reason})`);
  }
  return checked(dir, 'the build');
}

/**
 * The package's root: the nearest folder above this module holding both package.json and
 * bin/archbundle.js. Works from src/node/viewer/ (a checkout, run through tsx) and from
 * dist/src/node/viewer/ (installed; dist/ has a package.json of its own but no bin/).
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'bin', 'archbundle.js'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new EnvironmentError('E_IO', `cannot find archbundle's package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function checked(dir: string, from: string): string {
  const missing = APP_FILES.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new EnvironmentError(
      'E_IO',
      `the viewer's built app is missing from ${dir} (${from}): expected ${APP_FILES.join(', ')}, missing ${missing.join(', ')}` +
        (from === 'the installed package' ? '; reinstall archbundle, whose package ships dist/viewer' : ''),
    );
  }
  return dir;
}

/** Why the build must run, or null when it is present and newer than every source. */
function staleness(root: string, dir: string): string | null {
  const built = APP_FILES.map((f) => path.join(dir, f));
  if (!built.every((f) => existsSync(f))) return 'it was missing';
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs));
  for (const source of SOURCES) {
    const newer = newestFile(path.join(root, source));
    if (newer && newer.mtimeMs > builtAt) return `${path.relative(root, newer.file)} changed since the last build`;
  }
  return null;
}

function newestFile(at: string): { file: string; mtimeMs: number } | null {
  if (!existsSync(at)) return null;
  const info = statSync(at);
  if (info.isFile()) return { file: at, mtimeMs: info.mtimeMs };
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const entry of readdirSync(at, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const mtimeMs = statSync(file).mtimeMs;
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/** Runs the checkout's build script (it exists in checkouts only, never in the npm package). */
async function build(script: string, outdir: string, reason: string): Promise<void> {
  try {
    const module = (await import(pathToFileURL(script).href)) as { buildViewer?: (options: { outdir: string }) => Promise<unknown> };
    if (typeof module.buildViewer !== 'function') throw new Error(`${script} exports no buildViewer function`);
    await module.buildViewer({ outdir });
  } catch (error) {
    throw new EnvironmentError('E_IO', `cannot build the viewer into ${outdir} (${reason}): ${(error as Error).message}`, [], { cause: error });
  }
}
