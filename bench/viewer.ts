/**
 * bench:viewer — how long a WideResNet-28-10 bundle (36.5 M parameters, ~146 MB) takes to open in
 * the viewer, beside `archbundle inspect` of the same file measured in the same run. Last line:
 * one JSON object.
 *
 * - viewer: `archbundle view FILE --port 0` is started once (not timed), Debian's chromium once
 *   (not timed). Each round opens a new browser context (empty HTTP cache, nothing kept from the
 *   previous round) and times from `page.goto(URL#/overview)` until `document.body.dataset.state`
 *   is 'ready' and the overview shows the class: the download over loopback, sha256 of every
 *   entry with WebCrypto, parsing and checking, the summary (tensor statistics included) and the
 *   first render. `viewer_download_ms` is the bundle's fetch alone, from the page's resource
 *   timing: the page fetches the whole file as a Blob before reading it, so the rest of
 *   viewer_open_ms is the reading, checking, summary and render.
 * - inspect: `node bin/archbundle.js inspect FILE` in a fresh process each round, Node's start-up
 *   included, as a user runs it: it reads and checks the bundle and prints its summary.
 * Rounds alternate (viewer, inspect, viewer, ...) so both see the same machine load; the figures
 * are medians. The file is read from the page cache by both (it was just written).
 *
 * BENCH_VIEWER_ROUNDS sets the number of rounds (default 5).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createModel, selectBackend, State } from '../src/index.js';
import { BIN, ROOT } from '../test/helpers/cli.js';
import { buildViewer, launchBrowser, startViewer } from '../test/helpers/browser.js';

const ROUNDS = Number(process.env.BENCH_VIEWER_ROUNDS ?? 5);
const ROUND_TIMEOUT_MS = 180_000;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round1 = (ms: number): number => Math.round(ms * 10) / 10;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const log = (line: string): void => console.error(line);

/** Wall time of `node bin/archbundle.js inspect FILE`, from spawn to exit. */
function timeInspect(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const child = spawn(process.execPath, [BIN, 'inspect', file], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      const ms = now() - start;
      if (code === 0) resolve(ms);
      else reject(new Error(`archbundle inspect exited ${code}: ${stderr}`));
    });
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'archbundle-bench-viewer-'));
  const file = path.join(dir, 'wrn-28-10.archbundle');
  let server: Awaited<ReturnType<typeof startViewer>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    log('bench:viewer: making the WRN-28-10 bundle ...');
    await selectBackend();
    const model = createModel('WideResNet', { classes: 10, resolution: [3, 32, 32], depth: 28, width: 10 });
    await new State(model).save(file, { fsync: false });
    model.dispose();
    const bytes = (await stat(file)).size;
    log(`bench:viewer: ${file}: ${(bytes / 1e6).toFixed(1)} MB; building the viewer ...`);

    await buildViewer();
    server = await startViewer([file]);
    browser = await launchBrowser();
    const url = `${server.url}#/overview`;

    const viewer: number[] = [];
    const download: number[] = [];
    const inspect: number[] = [];
    // One untimed round of each warms the page cache and chromium's and Node's compiled code
    // caches alike, so the first timed round is not a cold outlier for one side only.
    for (let r = -1; r < ROUNDS; r += 1) {
      const context = await browser.newContext();
      await context.addInitScript('globalThis.__name ??= (f) => f;');
      const page = await context.newPage();
      const start = now();
      await page.goto(url);
      await page.waitForFunction(
        () => {
          const state = document.body?.dataset.state;
          if (state === 'error') throw new Error(document.querySelector('[data-testid="error"]')?.textContent ?? 'viewer error');
          return state === 'ready' && document.querySelector('[data-testid="summary-class"]')?.textContent?.includes('WideResNet');
        },
        undefined,
        { timeout: ROUND_TIMEOUT_MS, polling: 10 },
      );
      const viewerMs = now() - start;
      // The bundle's download as the page saw it (resource timing), to tell transfer from work.
      const downloadMs = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/bundles/'))
          .reduce((sum, e) => sum + e.duration, 0),
      );
      await context.close();
      const inspectMs = await timeInspect(file);
      if (r >= 0) {
        viewer.push(viewerMs);
        download.push(downloadMs);
        inspect.push(inspectMs);
      }
      log(`bench:viewer: round ${r < 0 ? 'warm-up' : r + 1}: viewer ${viewerMs.toFixed(0)} ms (download ${downloadMs.toFixed(0)} ms), inspect ${inspectMs.toFixed(0)} ms`);
    }

    const viewerMs = median(viewer);
    const inspectMs = median(inspect);
    console.log(
      JSON.stringify({
        bench: 'viewer',
        bundle: { class: 'WideResNet', depth: 28, width: 10, bytes },
        rounds: ROUNDS,
        browser: `chromium ${browser.version()}`,
        viewer_open_ms: round1(viewerMs),
        viewer_download_ms: round1(median(download)),
        inspect_ms: round1(inspectMs),
        ratio: Math.round((viewerMs / inspectMs) * 100) / 100,
        viewer_rounds_ms: viewer.map(round1),
        inspect_rounds_ms: inspect.map(round1),
        loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
      }),
    );
  } finally {
    await browser?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
