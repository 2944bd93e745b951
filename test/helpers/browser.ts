/**
 * A real browser for the viewer's tests and bench: Debian's chromium driven by playwright-core
 * (no browser download), the `archbundle view` server as a child process, the viewer's build,
 * screenshots as test artifacts, and colour measurements for the light/dark checks.
 *
 * Nothing here skips: a missing chromium or a viewer that does not build is an error, so CI
 * (which installs chromium in .ci/run) fails instead of passing without a browser.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { BIN, ROOT } from './cli.js';

/** Debian's fixed path of the chromium package; ARCHBUNDLE_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.ARCHBUNDLE_CHROMIUM || '/usr/bin/chromium';

/**
 * The flags this machine's closed network needs: without the background-networking ones chromium
 * keeps opening connections that are refused (and looks up Google's hosts at every start).
 * --no-sandbox because CI runs as root, where chromium's sandbox refuses to start.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless chromium. playwright-core gives it a fresh --user-data-dir of its own
 * (mkdtemp under the system temp folder, removed when the browser closes) and refuses one in
 * `args`, so each launch starts from an empty profile; each test then takes a new context, which
 * shares no storage with the others.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install Debian's chromium package (.ci/run does) or set ARCHBUNDLE_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/**
 * A page in a context of its own (no storage shared with other tests). tsx compiles the tests
 * with esbuild's keepNames, which wraps named functions in a call to a module-level `__name`;
 * a callback given to page.evaluate is sent as its source text without that helper, so the page
 * gets an identity `__name` before any script runs.
 */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  await context.addInitScript('globalThis.__name ??= (f) => f;');
  return context.newPage();
}

function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

export const VIEWER_DIST = path.join(ROOT, 'dist', 'viewer');

let built: Promise<void> | undefined;

/**
 * Builds the viewer once per test process (`npm run build:viewer`), so the tests check the
 * sources of this checkout and never a stale dist/viewer/; a build that fails fails the test.
 */
export function buildViewer(): Promise<void> {
  built ??= (async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await run(npm, ['run', '--silent', 'build:viewer'], ROOT);
    if (!existsSync(path.join(VIEWER_DIST, 'index.html'))) throw new Error(`npm run build:viewer wrote no ${path.join(VIEWER_DIST, 'index.html')}`);
  })();
  return built;
}

export interface ViewerServer {
  /** `http://127.0.0.1:PORT/`, as the server printed it. */
  url: string;
  /** Everything the server wrote so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node bin/archbundle.js view ARGS... --port 0` and waits for its `viewer: URL` line.
 * Rejects with the server's output if it exits first or prints no URL within the time limit.
 */
export function startViewer(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ViewerServer> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'view', ...args, '--port', '0'], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // A server that ignores SIGTERM is killed after a while, so a test never hangs on it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`archbundle view printed no URL within ${options.timeoutMs ?? 60_000} ms:\n${out}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /viewer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`archbundle view exited (${code ?? signal}) before printing its URL:\n${out}`));
    });
  });
}

export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'viewer');

/**
 * Saves a screenshot as test-artifacts/viewer/<name>-<scheme>.png (the whole page unless
 * `fullPage: false`, for pages too long to look at whole); returns the path.
 */
export async function screenshot(page: Page, name: string, scheme: 'light' | 'dark', options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}-${scheme}.png`);
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true });
  return file;
}

/** sRGB 0-255 and alpha 0-1. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** WCAG 2 relative luminance of an opaque colour. */
export function luminance(c: Rgba): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** `over` painted with its alpha on an opaque `under`. */
export function composite(over: Rgba, under: Rgba): Rgba {
  const mix = (x: number, y: number): number => x * over.a + y * (1 - over.a);
  return { r: mix(over.r, under.r), g: mix(over.g, under.g), b: mix(over.b, under.b), a: 1 };
}

/**
 * The text colour of the element `selector` matches and the background it is drawn on, as sRGB.
 * Computed colours can come back as oklch(), color-mix() or lab(); painting them on a 1×1 canvas
 * turns any of them into sRGB bytes. The background is the first ancestor's with any opacity,
 * composited over the ones beneath, down to the page's canvas colour.
 */
export async function textAndBackground(page: Page, selector: string): Promise<{ text: Rgba; background: Rgba }> {
  const raw = await page.evaluate((sel) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const toRgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = '#000';
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const element = document.querySelector(sel);
    if (!element) throw new Error(`no element matches ${sel}`);
    const layers: [number, number, number, number][] = [];
    for (let e: Element | null = element; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      const rgba = toRgba(bg);
      if (rgba[3] > 0) layers.push(rgba);
      if (rgba[3] >= 1) break;
    }
    // The canvas colour under everything: what the root's colour-scheme paints (Canvas).
    const probe = document.createElement('div');
    probe.style.background = 'Canvas';
    document.documentElement.append(probe);
    const base = toRgba(getComputedStyle(probe).backgroundColor);
    probe.remove();
    return { text: toRgba(getComputedStyle(element).color), layers, base };
  }, selector);
  let background: Rgba = { r: raw.base[0], g: raw.base[1], b: raw.base[2], a: 1 };
  for (const [r, g, b, a] of raw.layers.reverse()) background = composite({ r, g, b, a }, background);
  const [r, g, b, a] = raw.text;
  return { text: composite({ r, g, b, a }, background), background };
}
