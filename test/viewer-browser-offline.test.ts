/**
 * The viewer where things go wrong or there is no server, in chromium: hostile bundles show the
 * reader's coded error while the good bundle stays usable; the built viewer opened from file://
 * takes bundles from "Open bundle…" and from a drop; `archbundle report`'s file renders with
 * every request but its own aborted. Screenshots go to test-artifacts/viewer/.
 *
 * Fails, never skips, without chromium, without Fashion-MNIST or when the viewer does not build.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { buildViewer, launchBrowser, openPage, screenshot, startViewer, VIEWER_DIST } from './helpers/browser.js';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { inspectJson, predictJson, relativeLogitError, trainRun, type InspectJson, type TrainedRun } from './helpers/viewer-runs.js';

const BAD = path.join(ROOT, 'test', 'fixtures', 'bad-bundles');

interface Catalog {
  cases: { id: string; code: string; stage: 'read' | 'load'; file: string }[];
}

interface ChartData {
  series: string[];
  x: number[];
  y: (number | null)[][];
}
type PredictionWindow = { archbundleViewer: { prediction?: { logits: number[] } } };
type HooksWindow = { archbundleViewer: { charts: Record<string, ChartData>; summaries: { name: string; class: string; parameters: number }[] } };

describe('the viewer with hostile bundles, without a server, and the offline report', () => {
  const dir = tempDir('archbundle-viewer-offline-');
  let run: TrainedRun;
  let browser: Browser;
  let inspected: InspectJson;

  before(async () => {
    const [, trained, launched] = await Promise.all([buildViewer(), trainRun(dir), launchBrowser()]);
    run = trained;
    browser = launched;
    inspected = await inspectJson(run.bundles.at(-1)!);
  });

  after(async () => {
    await browser?.close();
  });

  it("every bad bundle of the shared catalog shows the reader's code in the page; the good one still works", async (t) => {
    // One folder: the good bundle first (names sort), every catalog case, and a copy of the good
    // bundle cut in the middle. The server lists *.archbundle files, so each gets that extension.
    const folder = path.join(dir, 'hostile');
    mkdirSync(folder);
    copyFileSync(run.bundles.at(-1)!, path.join(folder, '0-good.archbundle'));
    const good = readFileSync(run.bundles.at(-1)!);
    writeFileSync(path.join(folder, 'cut-in-half.archbundle'), good.subarray(0, good.length >> 1));
    const catalog = JSON.parse(readFileSync(path.join(BAD, 'index.json'), 'utf8')) as Catalog;
    const expected = new Map<string, string>([['cut-in-half.archbundle', 'E_TRUNCATED']]);
    for (const c of catalog.cases) {
      copyFileSync(path.join(BAD, c.file), path.join(folder, `${c.id}.archbundle`));
      expected.set(`${c.id}.archbundle`, c.code);
    }
    const server = await startViewer([folder]);
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      const crashes: string[] = [];
      page.on('pageerror', (e) => crashes.push(e.message));
      await page.goto(`${server.url}#/overview`);
      await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', undefined, { timeout: 90_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
      const shown = await page.locator('[data-testid="error"]').evaluateAll((panels) =>
        panels.map((p) => ({ code: p.getAttribute('data-code'), heading: p.querySelector('h2')?.textContent ?? '' })),
      );
      const byName = new Map(shown.map((s) => [s.heading.replace(/^E_[A-Z0-9_]+\s*/, '').trim(), s.code]));
      const wrong = [...expected].filter(([name, code]) => byName.get(name) !== code).map(([name, code]) => `${name}: expected ${code}, shown ${byName.get(name) ?? 'nothing'}`);
      assert.deepEqual(wrong, [], `${wrong.length} of ${expected.size} bad bundles show another code`);
      assert.equal(shown.length, expected.size, 'one error panel per bad bundle, none for the good one');
      t.diagnostic(`${expected.size} bad bundles (${catalog.cases.length} catalog cases and a cut file) each show their code`);
      // The specific ones the issue names, by their panel's attribute.
      assert.equal(byName.get('entry-path-parent.archbundle'), 'E_ENTRY_PATH');
      // The good bundle is shown and usable beside all of that.
      assert.equal((await page.locator('[data-testid="summary-class"]').textContent())?.trim(), inspected.class);
      assert.equal(Number(await page.locator('[data-testid="summary-parameters"]').getAttribute('data-value')), inspected.parameters);
      await page.getByRole('link', { name: 'Training' }).click();
      await page.locator('[data-page="training"] [data-chart="loss"]').waitFor();
      assert.deepEqual(crashes, [], 'no uncaught error in the page');
      await page.getByRole('link', { name: 'Overview' }).click();
      await page.locator('[data-page="overview"]').waitFor();
      // 132 error panels make a page too long to look at whole: the first screen of it.
      await page.evaluate(() => window.scrollTo(0, 0));
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await screenshot(page, 'errors', scheme, { fullPage: false });
      }
    } finally {
      await page.context().close();
      await server.stop();
    }
  });

  it('the built viewer opened from file:// shows a bundle given with "Open bundle…" and one dropped on the page, and classifies an image as predict does', async () => {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(pathToFileURL(path.join(VIEWER_DIST, 'index.html')).href);
      await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 30_000 });
      await page.locator('[data-testid="drop-zone"]').waitFor();
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await screenshot(page, 'empty', scheme);
      }
      await page.emulateMedia({ colorScheme: 'light' });

      // "Open bundle…": the button opens the file chooser, as a user would click it.
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: 'Open bundle…' }).first().click();
      await (await chooser).setFiles([run.bundles.at(-1)!, path.join(BAD, 'entry-path-parent.bundle')]);
      await page.locator('[data-testid="summary-class"]').waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      assert.equal((await page.locator('[data-testid="summary-class"]').textContent())?.trim(), inspected.class);
      assert.equal(Number(await page.locator('[data-testid="summary-parameters"]').getAttribute('data-value')), inspected.parameters);
      await page.locator('[data-testid="error"][data-code="E_ENTRY_PATH"]').waitFor();

      // A drop: a DataTransfer holding the epoch-1 bundle's bytes, dropped on the page.
      const bytes = readFileSync(run.bundles[0]!).toString('base64');
      await page.evaluate(
        ([b64, name]) => {
          const raw = atob(b64!);
          const data = new Uint8Array(raw.length);
          for (let i = 0; i < raw.length; i += 1) data[i] = raw.charCodeAt(i);
          const transfer = new DataTransfer();
          transfer.items.add(new File([data], name!, { type: 'application/x-tar' }));
          for (const type of ['dragenter', 'dragover', 'drop']) {
            document.querySelector('main')!.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
          }
        },
        [bytes, path.basename(run.bundles[0]!)],
      );
      await page.waitForFunction(() => (window as unknown as HooksWindow).archbundleViewer.summaries.length === 2, undefined, { timeout: 30_000 });
      const summaries = await page.evaluate(() => (window as unknown as HooksWindow).archbundleViewer.summaries.map((s) => s.name));
      assert.deepEqual(summaries, [path.basename(run.bundles.at(-1)!), path.basename(run.bundles[0]!)]);
      // Both are open, so the compare page has two bundles and its curves.
      await page.getByRole('link', { name: 'Compare' }).click();
      await page.locator('[data-page="compare"] [data-chart="compare-loss"]').waitFor();

      // Without a server there are no test samples, but an image is still classified in the page
      // (TF.js's cpu backend: a file:// page cannot fetch the wasm binaries), as predict does.
      await page.getByRole('link', { name: 'Evaluate' }).click();
      await page.locator('[data-page="evaluate"] [data-testid="no-samples"]').waitFor();
      const png = path.join(dir, 'offline.png');
      await sharp(Buffer.from(Array.from({ length: 28 * 28 }, (_, i) => (i * 7) % 256)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(png);
      await page.locator('[data-testid="predict-input"]').setInputFiles(png);
      await page.waitForFunction(() => (window as unknown as PredictionWindow).archbundleViewer.prediction !== undefined, undefined, { timeout: 30_000 });
      const prediction = await page.evaluate(() => (window as unknown as PredictionWindow).archbundleViewer.prediction!);
      const [fromCli] = (await predictJson(run.bundles.at(-1)!, [png])).predictions;
      const error = relativeLogitError([prediction.logits], [fromCli!.logits]);
      assert.ok(error <= 1e-4, `file:// page vs predict: largest difference ${error.toExponential(2)} of the largest |logit|`);
    } finally {
      await page.context().close();
    }
  });

  it('the report renders with every request but its own file aborted: class, parameters, curves, confusion matrix', async (t) => {
    const report = path.join(dir, 'report.html');
    const made = await runCli(['report', run.bundles[1]!, run.bundles[2]!, '-o', report, '--data', 'fashion-mnist', '--limit', '64'], {
      cwd: ROOT,
      env: { ARCHBUNDLE_BACKEND: 'wasm' },
    });
    assert.equal(made.code, 0, made.stderr);
    const url = pathToFileURL(report).href;
    const epoch2 = await inspectJson(run.bundles[1]!);
    for (const scheme of ['light', 'dark'] as const) {
      const page = await openPage(browser, { colorScheme: scheme, viewport: { width: 1280, height: 900 } });
      const aborted: string[] = [];
      await page.route('**', (route) => {
        if (route.request().url() === url) return route.continue();
        aborted.push(route.request().url());
        return route.abort();
      });
      try {
        await page.goto(`${url}#/overview?bundle=1`);
        await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', undefined, { timeout: 30_000 });
        assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
        assert.equal((await page.locator('[data-testid="summary-class"]').textContent())?.trim(), inspected.class);
        assert.equal(Number(await page.locator('[data-testid="summary-parameters"]').getAttribute('data-value')), inspected.parameters);
        await screenshot(page, 'report-overview', scheme);

        await page.getByRole('link', { name: 'Training' }).click();
        await page.locator('[data-page="training"] [data-chart="loss"] canvas').first().waitFor();
        const loss = await page.evaluate(() => (window as unknown as HooksWindow).archbundleViewer.charts.loss!);
        assert.deepEqual(loss.x, inspected.metrics.map((m) => m.epoch));
        assert.deepEqual(loss.y[loss.series.indexOf('loss')], inspected.metrics.map((m) => m.loss));
        await screenshot(page, 'report-training', scheme);

        await page.getByRole('link', { name: 'Evaluate' }).click();
        const matrix = page.locator('[data-page="evaluate"] [data-testid="confusion-matrix"]');
        await matrix.waitFor();
        // 64 examples, each counted once in the heat map's cells.
        const cells = await matrix.locator('td').evaluateAll((tds) => tds.map((td) => Number(td.textContent?.trim() || 0)));
        assert.equal(cells.reduce((a, b) => a + b, 0), 64);
        await screenshot(page, 'report-evaluate', scheme);

        await page.getByRole('link', { name: 'Compare' }).click();
        await page.locator('[data-testid="tensor-changes"]').waitFor();
        const parameters = await page.locator('[data-testid="compare-bundles"] [data-parameters]').evaluateAll((c) => c.map((x) => Number(x.getAttribute('data-parameters'))));
        assert.deepEqual(parameters, [epoch2.parameters, inspected.parameters]);
        await screenshot(page, 'report-compare', scheme);
        assert.deepEqual(aborted, [], 'the report asked for nothing but its own file');
      } finally {
        await page.context().close();
      }
    }
    t.diagnostic(`report: ${(readFileSync(report).length / 1024).toFixed(0)} KiB, no request but its own`);
  });
});
