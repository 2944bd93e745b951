/**
 * The viewer in a real browser (Debian's chromium under playwright-core), served by
 * `archbundle view RUN_FOLDER` for a tiny run trained here on Fashion-MNIST: every figure a page
 * shows is checked against what the command line says of the same bundle (`inspect --json`,
 * `predict --json`, the run's metrics.jsonl), and each page is saved as a screenshot in light and
 * dark mode under test-artifacts/viewer/ for a person to look at.
 *
 * Fails, never skips, without chromium, without Fashion-MNIST or when the viewer does not build.
 * Hostile bundles, a page without a server and the offline report: viewer-browser-offline.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { readBundle } from '../src/core/index.js';
import type { BundleSummary, Evaluation, SamplesResponse, ViewerSession } from '../src/core/viewer-protocol.js';
import {
  buildViewer,
  contrastRatio,
  launchBrowser,
  luminance,
  openPage,
  screenshot,
  startViewer,
  textAndBackground,
  type ViewerServer,
} from './helpers/browser.js';
import { tempDir } from './helpers/tempdir.js';
import {
  inspectJson,
  predictJson,
  readMetricsJsonl,
  relativeLogitError,
  trainRun,
  writeUint8Npy,
  type InspectJson,
  type TrainedRun,
} from './helpers/viewer-runs.js';

const PAGES = ['overview', 'training', 'weights', 'evaluate', 'compare'] as const;
type PageId = (typeof PAGES)[number];
/** Test examples the evaluate page runs; predict gets the same ones as a .npy. */
const EXAMPLES = 48;

/** What a chart hook holds (src/viewer/hooks.ts): the data actually plotted. */
interface ChartData {
  series: string[];
  x: number[];
  y: (number | null)[][];
}

/** `window.archbundleViewer` as the tests read it (the shell's and the evaluate page's hooks). */
interface Hooks {
  charts: Record<string, ChartData>;
  summaries: BundleSummary[];
  evaluation?: Evaluation & { logits: number[][] };
  prediction?: { logits: number[]; probabilities: number[]; top: { class: number; label: string; probability: number }[] };
}
/** The window inside page.evaluate callbacks (which run in the page, so they can only cast). */
type HooksWindow = { archbundleViewer: Hooks };

describe('archbundle view in chromium', () => {
  // Made while the suite is defined: tempDir's clean-up then runs after the whole file.
  const dir = tempDir('archbundle-viewer-browser-');
  let run: TrainedRun;
  let browser: Browser;
  let server: ViewerServer;
  let session: ViewerSession;
  /** inspect --json of each of the run's bundles, in epoch order. */
  let inspected: InspectJson[];

  before(async () => {
    // The build and the training use different cores' worth of work; chromium starts meanwhile.
    const [, trained, launched] = await Promise.all([buildViewer(), trainRun(dir), launchBrowser()]);
    run = trained;
    browser = launched;
    [server, inspected] = await Promise.all([startViewer([run.folder]), Promise.all(run.bundles.map((b) => inspectJson(b)))]);
    session = (await (await fetch(new URL('api/session', server.url))).json()) as ViewerSession;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The session's id of a bundle file of the run. */
  const idOf = (file: string): string => {
    const found = session.bundles.find((b) => b.name === path.basename(file));
    assert.ok(found, `the session lists no ${path.basename(file)}: ${JSON.stringify(session.bundles.map((b) => b.name))}`);
    return found.id;
  };

  /**
   * Opens `#/<page>?bundle=<id>` in a fresh context and waits until every bundle is read: the body's
   * state is 'ready' (an 'error' state fails with the page's error panels) and the page is shown.
   */
  async function open(pageId: PageId, bundle: string, options: { colorScheme?: 'light' | 'dark'; query?: string } = {}): Promise<Page> {
    const page = await openPage(browser, { colorScheme: options.colorScheme ?? 'light', viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // A failed request (a missing file, a refused fetch) shows up as a console error.
    page.on('console', (message) => void (message.type() === 'error' && problems.push(`console error: ${message.text()}`)));
    await page.goto(`${server.url}${options.query ?? ''}#/${pageId}?bundle=${encodeURIComponent(idOf(bundle))}`);
    await waitReady(page, problems);
    await page.locator(`[data-page="${pageId}"]`).waitFor();
    return page;
  }

  it('the overview shows the class and the parameter count that inspect --json gives', async () => {
    const last = run.bundles.at(-1)!;
    const expected = inspected.at(-1)!;
    const page = await open('overview', last);
    assert.equal((await page.locator('[data-testid="summary-class"]').textContent())?.trim(), expected.class);
    const parameters = page.locator('[data-testid="summary-parameters"]');
    assert.equal(Number(await parameters.getAttribute('data-value')), expected.parameters);
    // The shown text is the same number, grouped for reading (18,266).
    assert.equal(Number((await parameters.textContent())!.replace(/[^0-9]/g, '')), expected.parameters);
    const summaries = await page.evaluate(() => (window as unknown as HooksWindow).archbundleViewer.summaries.map((s) => ({ name: s.name, class: s.class, parameters: s.parameters })));
    assert.deepEqual(
      summaries.map((s) => s.name).sort(),
      run.bundles.map((b) => path.basename(b)).sort(),
      'the session opens every bundle of the run',
    );
    for (const [i, file] of run.bundles.entries()) {
      const s = summaries.find((x) => x.name === path.basename(file))!;
      assert.deepEqual({ class: s.class, parameters: s.parameters }, { class: inspected[i]!.class, parameters: inspected[i]!.parameters });
    }
    await page.context().close();
  });

  it('with no bundle in the route, the newest epoch is shown (not the first file in path order)', async () => {
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${server.url}#/overview`);
      await waitReady(page, []);
      await page.locator('[data-testid="summary-epoch"]').waitFor();
      const last = inspected.at(-1)!;
      assert.equal((await page.locator('[data-testid="summary-epoch"]').textContent())?.trim(), `epoch ${last.epoch}`);
      assert.equal(await page.locator('#bundle-picker').inputValue(), idOf(run.bundles.at(-1)!));
    } finally {
      await page.context().close();
    }
  });

  it("the training curves hold the bundle's metrics history, and the run's metrics.jsonl when picked", async () => {
    const last = run.bundles.at(-1)!;
    const history = inspected.at(-1)!.metrics;
    assert.equal(history.length, 3, 'three epochs trained');
    const page = await open('training', last);
    const charts = await chartHooks(page);
    // Each chart's x is the epochs, and each series the metric of that name at those epochs.
    const expectSeries = (chart: string, keys: string[], records: Record<string, unknown>[]) => {
      const data = charts[chart];
      assert.ok(data, `no chart "${chart}" among ${Object.keys(charts).join(', ')}`);
      assert.deepEqual(data.x, records.map((r) => r.epoch), `${chart}: x`);
      assert.deepEqual([...data.series].sort(), [...keys].sort(), `${chart}: series`);
      for (const key of keys) {
        assert.deepEqual(data.y[data.series.indexOf(key)], records.map((r) => r[key]), `${chart}: ${key}`);
      }
    };
    expectSeries('loss', ['loss', 'val_loss'], history);
    expectSeries('accuracy', ['accuracy', 'val_accuracy'], history);
    expectSeries('learning-rate', ['learningRate'], history);
    for (const chart of ['loss', 'accuracy', 'learning-rate']) {
      // The chart library drew something: a canvas of real size inside the container.
      const box = await page.locator(`[data-chart="${chart}"] canvas`).first().boundingBox();
      assert.ok(box && box.width > 100 && box.height > 50, `${chart}: canvas ${JSON.stringify(box)}`);
    }

    await page.context().close();

    // The epoch-1 bundle's own history has one record; the run's metrics.jsonl (which the server
    // found beside it) goes on to epoch 3, and its test record is shown.
    const records = readMetricsJsonl(run.metricsFile);
    const jsonl = records.filter((r) => r.type === 'epoch');
    assert.equal(jsonl.length, 3);
    const first = await open('training', run.bundles[0]!);
    const own = await chartHooks(first);
    assert.deepEqual(own.loss?.x, [1]);
    assert.deepEqual(own.loss?.y[own.loss.series.indexOf('loss')], [inspected[0]!.metrics[0]!.loss]);
    await first.getByRole('radio', { name: /metrics\.jsonl/ }).check();
    const fromRun = await chartHooks(first);
    assert.deepEqual(fromRun.loss?.x, [1, 2, 3]);
    assert.deepEqual(fromRun.loss?.y[fromRun.loss.series.indexOf('loss')], jsonl.map((r) => r.loss));
    assert.deepEqual(fromRun.accuracy?.y[fromRun.accuracy.series.indexOf('val_accuracy')], jsonl.map((r) => r.val_accuracy));
    assert.deepEqual(fromRun['learning-rate']?.y[0], jsonl.map((r) => r.learningRate));
    const test = records.find((r) => r.type === 'test')!;
    const shown = (await first.locator('[data-testid="test-result"]').textContent()) ?? '';
    assert.match(shown, new RegExp(`${((test.accuracy as number) * 100).toFixed(2).replace('.', '\\.')}%`), shown);
    await first.context().close();
  });

  it("the weights page shows each tensor's statistics as computed here from the bundle's bytes, and its histogram", async () => {
    const bundle = run.bundles.at(-1)!;
    const stored = await storedWeights(bundle);
    const page = await open('weights', bundle);
    const tensors = await page.evaluate(() => (window as unknown as HooksWindow).archbundleViewer.summaries.find((s) => s.name === 'epoch-0003.archbundle')!.tensors);
    assert.deepEqual(tensors.map((t) => t.name).sort(), [...stored.keys()].sort(), 'every stored weight, none more');
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
    for (const t of tensors) {
      const values = stored.get(t.name)!;
      const expected = statistics(values);
      for (const key of ['min', 'max', 'mean', 'norm', 'zeros'] as const) {
        assert.ok(close(t[key], expected[key]), `${t.name} ${key}: page ${t[key]}, bundle ${expected[key]}`);
      }
      assert.equal(t.histogram.counts.reduce((a, b) => a + b, 0), values.length, `${t.name}: the histogram counts every value`);
    }
    // Choosing a tensor (a button in its row) shows its histogram: the plotted bars are its counts.
    await page.locator('tr[data-tensor="conv2/kernel"] button').click();
    await page.locator('[data-testid="tensor-detail"][data-tensor="conv2/kernel"]').waitFor();
    const plotted = (await chartHooks(page)).histogram!;
    assert.deepEqual(plotted.y[0], tensors.find((t) => t.name === 'conv2/kernel')!.histogram.counts);
    // A theme change draws the page anew; the chosen tensor and the sort order stay.
    await page.locator('[data-testid="tensors"] th button', { hasText: 'L2 norm' }).click();
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.locator('[data-testid="tensor-detail"][data-tensor="conv2/kernel"]').waitFor();
    assert.equal(await page.locator('[data-testid="tensors"] th[aria-sort]').textContent(), 'L2 norm');
    await page.context().close();
  });

  it('in-browser logits on served test examples (wasm, cpu and webgl backends) and on an uploaded PNG equal predict --json to 1e-4', async (t) => {
    const bundle = run.bundles.at(-1)!;
    // The same examples from the server, as the CLI reads them: a uint8 .npy, NHWC.
    const response = await fetch(new URL(`api/samples?dataset=fashion-mnist&offset=0&count=${EXAMPLES}`, server.url));
    assert.equal(response.status, 200);
    const samples = (await response.json()) as SamplesResponse;
    const npy = path.join(dir, 'examples.npy');
    writeUint8Npy(npy, [samples.count, ...samples.shape], new Uint8Array(Buffer.from(samples.pixels, 'base64')));
    const expected = (await predictJson(bundle, [npy])).predictions.map((p) => p.logits);

    // The page's default backend (wasm, as predict's here), then TF.js's plain-JavaScript cpu
    // backend and its webgl one (chromium's software GL under --disable-gpu), whose kernels share
    // nothing with wasm's: equal logits there are no coincidence.
    for (const backend of ['wasm', 'cpu', 'webgl']) {
      const page = await open('evaluate', bundle, backend === 'wasm' ? {} : { query: `?backend=${backend}` });
      await page.locator('[data-testid="evaluate-count"]').fill(String(EXAMPLES));
      await page.locator('[data-testid="evaluate-run"]').click();
      await page.waitForFunction(() => document.body.dataset.evaluation === 'done' || document.body.dataset.evaluation === 'error', undefined, { timeout: 60_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.evaluation), 'done', await errorsText(page));
      const evaluation = await page.evaluate(() => {
        const e = (window as unknown as HooksWindow).archbundleViewer.evaluation!;
        return {
          logits: e.logits, examples: e.examples, dataset: e.dataset, backend: e.backend, confusion: e.confusion, accuracy: e.accuracy,
          targets: e.perClass.map((c) => c.examples), misclassified: e.misclassified.map((m) => ({ index: m.index, target: m.target, top: m.top[0]!.class })),
        };
      });
      assert.equal(evaluation.backend, backend);
      assert.equal(evaluation.dataset, 'fashion-mnist');
      assert.equal(evaluation.examples, EXAMPLES);
      assert.equal(evaluation.logits.length, EXAMPLES);
      // The page's figures follow from the served targets: each class's row counts its examples.
      const perClass = Array.from({ length: 10 }, (_, c) => samples.targets.filter((x) => x === c).length);
      assert.deepEqual(evaluation.confusion.map((row) => row.reduce((a, b) => a + b, 0)), perClass);
      assert.deepEqual(evaluation.targets, perClass);
      // Accuracy, the confusion matrix and the gallery all follow from predict's own logits.
      const predicted = expected.map((row) => row.indexOf(Math.max(...row)));
      const wrong = predicted.map((p, i) => (p === samples.targets[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(evaluation.accuracy, (EXAMPLES - wrong.length) / EXAMPLES);
      const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
      predicted.forEach((p, i) => (confusion[samples.targets[i]!]![p]! += 1));
      assert.deepEqual(evaluation.confusion, confusion);
      // The gallery keeps the 48 most confidently wrong (evaluation-summary.ts): with 48 examples, all.
      assert.deepEqual(evaluation.misclassified.map((m) => m.index).sort((a, b) => a - b), wrong, 'the gallery holds every misclassified example');
      for (const m of evaluation.misclassified) assert.deepEqual([m.target, m.top], [samples.targets[m.index], predicted[m.index]]);
      await page.locator('[data-testid="confusion-matrix"]').waitFor();
      await page.locator('[data-testid="misclassified"]').waitFor();
      const error = relativeLogitError(evaluation.logits, expected);
      assert.ok(error <= 1e-4, `browser (${evaluation.backend}) vs predict: largest difference ${error.toExponential(2)} of the largest |logit|`);
      t.diagnostic(`${EXAMPLES} test examples on the browser's ${evaluation.backend} backend: largest logit difference ${error.toExponential(2)} of the largest |logit|`);
      if (backend !== 'wasm') await page.context().close();
      else await predictPng(page);
    }

    async function predictPng(page: Page): Promise<void> {
      // "Predict an image": an RGB PNG at the model's size, made here with sharp; the browser
      // turns it grey with Pillow's luma, as predict does.
      const png = path.join(dir, 'upload.png');
      await sharp(Buffer.from(Array.from({ length: 28 * 28 * 3 }, (_, i) => (i * 37 + ((i / 3) | 0) * 11) % 256)), { raw: { width: 28, height: 28, channels: 3 } })
        .png()
        .toFile(png);
      await page.locator('[data-testid="predict-input"]').setInputFiles(png);
      await page.waitForFunction(() => (window as unknown as HooksWindow).archbundleViewer.prediction !== undefined, undefined, { timeout: 30_000 });
      const prediction = await page.evaluate(() => (window as unknown as HooksWindow).archbundleViewer.prediction!);
      const fromCli = (await predictJson(bundle, [png])).predictions[0]!;
      const pngError = relativeLogitError([prediction.logits], [fromCli.logits]);
      assert.ok(pngError <= 1e-4, `PNG: largest difference ${pngError.toExponential(2)} of the largest |logit|`);
      t.diagnostic(`uploaded RGB PNG: largest logit difference ${pngError.toExponential(2)} of the largest |logit|`);
      assert.equal(prediction.top[0]!.class, fromCli.top[0]!.class);
      await page.locator('[data-testid="top-k"]').getByText(prediction.top[0]!.label).first().waitFor();
      await page.context().close();
    }
  });

  it('the compare page shows the argument diff, overlaid curves and per-tensor change of epochs 1 and 2', async () => {
    // A server with just the two bundles: the compare page shows every open bundle.
    const pair = await startViewer([run.bundles[0]!, run.bundles[1]!]);
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${pair.url}#/compare`);
      await waitReady(page, []);
      await page.locator('[data-page="compare"]').waitFor();
      // Same run, same arguments: the diff says so instead of listing rows.
      const diff = page.locator('[data-testid="argument-diff"]');
      assert.match((await diff.textContent()) ?? '', /same SimpleNet arguments/);
      const parameters = await page.locator('[data-testid="compare-bundles"] [data-parameters]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-parameters'))));
      assert.deepEqual(parameters, [inspected[0]!.parameters, inspected[1]!.parameters]);
      // Overlaid: one series per bundle, each with that bundle's own history at its epochs.
      const charts = await chartHooks(page);
      const loss = charts['compare-loss'];
      assert.ok(loss, `no compare-loss chart among ${Object.keys(charts).join(', ')}`);
      assert.equal(loss.series.length, 2);
      assert.deepEqual(loss.x, [1, 2]);
      assert.deepEqual(loss.y[0], [inspected[0]!.metrics[0]!.loss, null]);
      assert.deepEqual(loss.y[1], inspected[1]!.metrics.map((m) => m.loss));
      // Per-tensor change: a row per tensor of the model, each moved by the second epoch's steps.
      const table = page.locator('[data-testid="tensor-changes"]');
      await table.waitFor({ timeout: 30_000 });
      const rows = await table.locator('[data-tensor]').evaluateAll((trs) => trs.map((tr) => ({ name: tr.getAttribute('data-tensor'), text: tr.textContent ?? '' })));
      const weights = inspected[0]!.tensors.map((t) => t.name);
      assert.deepEqual(rows.map((r) => r.name).sort(), [...weights].sort());
      const kernel = rows.find((r) => r.name === 'conv1/kernel')!;
      assert.match(kernel.text, /[1-9][0-9.]*\s*%/, `conv1/kernel changed: ${kernel.text}`);
      await screenshotBoth(page, 'compare-two');
    } finally {
      await page.context().close();
      await pair.stop();
    }
  });

  it('the compare page lists the arguments that differ, and the tensors whose shapes differ as not compared', async () => {
    // Another run of the same class with other channels and activation (one short epoch).
    const other = await trainRun(dir, 'other', { args: { channels: 6, activation: 'tanh' }, epochs: 1, trainLimit: 64 });
    const pair = await startViewer([run.bundles[0]!, other.bundles[0]!]);
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${pair.url}#/compare`);
      await waitReady(page, []);
      const rows = await page.locator('[data-testid="argument-diff"] tr[data-argument]').evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-argument'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())]),
      );
      // Columns follow the session's order (the server sorts by path): which one is the other run?
      const pairSession = (await (await fetch(new URL('api/session', pair.url))).json()) as ViewerSession;
      const isOther = pairSession.bundles.map((b) => path.resolve(b.path).startsWith(other.folder));
      assert.deepEqual([...isOther].sort(), [false, true]);
      const byName = (a: (string | null | undefined)[], b: (string | null | undefined)[]) => String(a[0]).localeCompare(String(b[0]));
      assert.deepEqual(rows.sort(byName), [
        ['activation', ...isOther.map((o) => (o ? '"tanh"' : '"relu"'))],
        ['channels', ...isOther.map((o) => (o ? '6' : '4'))],
      ]);
      // Kernels change shape with the channels; biases of the logits keep theirs and are compared.
      const table = page.locator('[data-testid="tensor-changes"]');
      await table.waitFor({ timeout: 30_000 });
      const compared = await table.locator('[data-tensor]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tensor')));
      assert.ok(compared.includes('logits/bias'), `logits/bias compared: ${compared.join(', ')}`);
      assert.ok(!compared.includes('conv1/kernel'), 'conv1/kernel differs in shape and is not compared');
      assert.match((await page.locator('[data-page="compare"]').textContent()) ?? '', /Not compared[^:]*:.*conv1\/kernel/);
    } finally {
      await page.context().close();
      await pair.stop();
    }
  });

  it('the compare page compares the bundles the route names, and its checkboxes change them from the keyboard', async () => {
    assert.ok(session.bundles.length >= 3, `three bundles to choose from: ${session.bundles.length}`);
    const page = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${server.url}#/compare?bundles=0,2`);
      await waitReady(page, []);
      await page.locator('[data-testid="compare-bundles"]').waitFor();
      const compared = () => page.locator('[data-testid="compare-bundles"] thead th').evaluateAll((ths) => ths.map((th) => th.textContent));
      const checked = () => page.locator('[data-testid="compare-choice"]').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).checked));
      const names = session.bundles.map((b) => b.name);
      assert.deepEqual(await compared(), [`1. ${names[0]}`, `3. ${names[2]}`]);
      assert.deepEqual((await checked()).slice(0, 3), [true, false, true]);
      assert.equal((await chartHooks(page))['compare-loss']?.series.length, 2, 'one curve per compared bundle');
      // Space on the second checkbox adds it; the route follows and focus stays on the box.
      await page.locator('[data-testid="compare-choice"]').nth(1).focus();
      await page.keyboard.press('Space');
      await page.waitForFunction(() => !location.hash.includes('bundles=0,2'));
      await page.locator('[data-testid="compare-bundles"]').waitFor();
      assert.equal((await compared()).length, 3, 'bundles 1, 2 and 3');
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value), '1');
      // Two is the least: unchecking down to one is refused.
      await page.goto(`${server.url}#/compare?bundles=0,1`);
      await page.locator('[data-testid="compare-choice"]').first().focus();
      await page.keyboard.press('Space');
      assert.deepEqual((await checked()).slice(0, 2), [true, true]);
      assert.match(page.url(), /bundles=0,1/);
    } finally {
      await page.context().close();
    }
  });

  it('the keyboard reaches the navigation with Tab, and Enter on a link changes the page', async () => {
    const page = await open('overview', run.bundles.at(-1)!);
    const focusedLink = () => page.evaluate(() => (document.activeElement?.closest('nav a') as HTMLAnchorElement | null)?.textContent ?? null);
    let reached: string | null = null;
    for (let i = 0; i < 10 && reached !== 'Training'; i += 1) {
      await page.keyboard.press('Tab');
      reached = await focusedLink();
    }
    assert.equal(reached, 'Training', 'Tab reaches the Training link of the navigation within 10 presses');
    // The focused element shows that it has focus (an outline or a box shadow).
    const ring = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement!);
      return { outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow !== 'none' };
    });
    assert.ok(ring.outline || ring.shadow, `the focused link has no visible focus ring: ${JSON.stringify(ring)}`);
    await page.keyboard.press('Enter');
    await page.locator('[data-page="training"]').waitFor();
    assert.match(page.url(), /#\/training/);
    await page.locator('[data-chart="loss"]').waitFor();
    await page.context().close();
  });

  it('the theme button, reached and pressed with the keyboard, switches to dark and the choice survives a reload', async () => {
    const page = await open('overview', run.bundles.at(-1)!, { colorScheme: 'light' });
    const background = async () => luminance((await textAndBackground(page, 'main')).background);
    assert.ok((await background()) > 0.5, 'light to begin with');
    const theme = page.getByRole('button', { name: /switch to dark theme/i });
    await theme.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.ok((await background()) < 0.2, 'dark after the button');
    await page.reload();
    await waitReady(page, []);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.ok((await background()) < 0.2, 'still dark after a reload although the system is light');
    await page.context().close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme} mode: body text contrast ≥ 4.5:1, every page rendered and saved as a screenshot`, async () => {
      const bundle = run.bundles.at(-1)!;
      for (const pageId of PAGES) {
        const page = await open(pageId, bundle, { colorScheme: scheme });
        const colours = await textAndBackground(page, `[data-page="${pageId}"] h1`);
        const bodyText = await textAndBackground(page, 'main');
        const dark = luminance(bodyText.background) < 0.2;
        assert.equal(dark, scheme === 'dark', `${pageId}: background ${JSON.stringify(bodyText.background)} in ${scheme} mode`);
        for (const [what, c] of [['heading', colours], ['body text', bodyText]] as const) {
          const ratio = contrastRatio(c.text, c.background);
          assert.ok(ratio >= 4.5, `${pageId}, ${scheme}: ${what} contrast ${ratio.toFixed(2)} (${JSON.stringify(c)})`);
        }
        const muted = await page.locator(`[data-page="${pageId}"] .muted`).count();
        if (muted > 0) {
          const m = await textAndBackground(page, `[data-page="${pageId}"] .muted`);
          const ratio = contrastRatio(m.text, m.background);
          assert.ok(ratio >= 4.5, `${pageId}, ${scheme}: muted text contrast ${ratio.toFixed(2)}`);
        }
        if (pageId === 'evaluate') {
          await page.locator('[data-testid="evaluate-count"]').fill('200');
          await page.locator('[data-testid="evaluate-run"]').click();
          await page.waitForFunction(() => document.body.dataset.evaluation === 'done' || document.body.dataset.evaluation === 'error', undefined, { timeout: 60_000 });
          await page.locator('[data-testid="confusion-matrix"]').waitFor();
          // Every count in the heat map is legible on its cell's colour, pale or deep.
          const cells = await page.locator('table.cm td.cm-cell').evaluateAll((tds) => tds.map((td, i) => (td.textContent ? i : -1)).filter((i) => i >= 0));
          assert.ok(cells.length >= 10, `${cells.length} confusion-matrix cells with a count`);
          for (const i of cells) {
            const c = await textAndBackground(page, `table.cm tbody tr:nth-child(${Math.floor(i / 10) + 1}) td:nth-of-type(${(i % 10) + 1})`);
            const ratio = contrastRatio(c.text, c.background);
            assert.ok(ratio >= 4.5, `confusion-matrix cell ${i}, ${scheme}: contrast ${ratio.toFixed(2)} (${JSON.stringify(c)})`);
          }
        }
        // Nothing sticks out sideways: the page itself never scrolls horizontally at 1280 px.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${pageId}, ${scheme}: the page is ${overflow} px wider than the window`);
        if (pageId === 'weights') await page.locator('[data-chart]').first().waitFor();
        if (pageId === 'compare') await page.locator('[data-testid="tensor-changes"]').waitFor({ timeout: 30_000 });
        await screenshot(page, pageId, scheme);
        await page.context().close();
      }
    });
  }

  /**
   * Screenshots of the compare page in both schemes: a change of scheme renders the page again,
   * whose per-tensor table is filled in once the weights are read again.
   */
  async function screenshotBoth(page: Page, name: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((dark) => matchMedia('(prefers-color-scheme: dark)').matches === dark, scheme === 'dark');
      await page.locator('[data-testid="tensor-changes"]').waitFor({ timeout: 30_000 });
      await screenshot(page, name, scheme);
    }
  }
});

/** Waits for the body's state to leave 'loading'; 'error' fails with what the page shows. */
async function waitReady(page: Page, problems: string[]): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'error', undefined, { timeout: 60_000 });
  const state = await page.evaluate(() => document.body.dataset.state);
  assert.equal(state, 'ready', `viewer state ${state}: ${await errorsText(page)} ${problems.join('; ')}`);
  assert.deepEqual(problems, []);
}

async function errorsText(page: Page): Promise<string> {
  const panels = await page.locator('[data-testid="error"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}: ${e.textContent}`));
  return panels.join(' | ') || '(no error panel)';
}

/** The model's weights as stored in the bundle (float32), read with the core reader in Node. */
async function storedWeights(file: string): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  await readBundle(new Uint8Array(readFileSync(file)), {
    receiver: {
      tensor(group, record) {
        const target = new Uint8Array(record.byteLength);
        return { target, end: () => void (group === 'weights' && out.set(record.name, new Float32Array(target.buffer))) };
      },
    },
  });
  return out;
}

function statistics(values: Float32Array): { min: number; max: number; mean: number; norm: number; zeros: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let squares = 0;
  let zeros = 0;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    squares += v * v;
    if (v === 0) zeros += 1;
  }
  return { min, max, mean: sum / values.length, norm: Math.sqrt(squares), zeros: zeros / values.length };
}

async function chartHooks(page: Page): Promise<Record<string, ChartData>> {
  return page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as HooksWindow).archbundleViewer.charts)) as Record<string, ChartData>);
}
