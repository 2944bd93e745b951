/**
 * `archbundle report` without a browser: one HTML file whose embedded ReportData parses and holds
 * what `inspect --json` says of each bundle, the runs' metrics, the comparisons and (with --data)
 * an evaluation; nothing in it reaches the network; hostile text cannot end its script element;
 * a bundle that fails to read fails the report with its code and writes nothing. The app's report
 * script is built from this checkout's sources (scripts/build-viewer.ts) into a temp folder.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { tinyBundle } from './helpers/viewer-bundles.js';
import type { ReportData } from '../src/core/viewer-protocol.js';
import { jsonForScript } from '../src/node/viewer/report-html.js';
import { buildViewer } from '../scripts/build-viewer.js';

const dir = tempDir('archbundle-viewer-report-');
const app = path.join(dir, 'app');
const run = path.join(dir, 'run');
const METRICS = [
  { type: 'epoch', epoch: 1, step: 5, loss: 2.1, accuracy: 0.2, learningRate: 0.01 },
  { type: 'epoch', epoch: 2, step: 10, loss: 1.9, accuracy: 0.3, learningRate: 0.01 },
];
const env = { ARCHBUNDLE_VIEWER_DIR: app, ARCHBUNDLE_BACKEND: 'cpu' };

before(async () => {
  await buildViewer({ outdir: app });
  await tinyBundle(path.join(run, 'epoch-0001.archbundle'), { seed: 1, epoch: 1 });
  await tinyBundle(path.join(run, 'epoch-0002.archbundle'), { seed: 2, epoch: 2 });
  writeFileSync(path.join(run, 'metrics.jsonl'), METRICS.map((m) => `${JSON.stringify(m)}\n`).join(''));
  await tinyBundle(path.join(dir, 'loose.archbundle'), { seed: 3, hidden: [6] });
  copyFileSync(path.join(ROOT, 'test/fixtures/bad-bundles/checksum-flipped-byte.bundle'), path.join(dir, 'hostile.archbundle'));
});

/** The JSON of <script type="application/json" id="archbundle-report">, parsed. */
function embedded(html: string): ReportData {
  const match = /<script type="application\/json" id="archbundle-report">([^<]*)<\/script>/.exec(html);
  assert.ok(match, 'the report data element');
  return JSON.parse(match[1]!) as ReportData;
}

function assertOffline(html: string): void {
  assert.doesNotMatch(html, /\b(?:src|href|action|srcset|poster)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i, 'no src or href to another host');
  assert.doesNotMatch(html, /<link\b/i, 'no linked stylesheet or preload');
  assert.doesNotMatch(html, /<script\b[^>]*\bsrc\s*=/i, 'no external script');
  assert.doesNotMatch(html, /@import\b/, 'no imported styles');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
}

describe('archbundle report', () => {
  it('writes one self-contained file holding what inspect --json says of each bundle', async () => {
    const files = ['run/epoch-0001.archbundle', 'run/epoch-0002.archbundle', 'loose.archbundle'];
    const before = readdirSync(dir).sort();
    const result = await runCli(['report', ...files, '-o', 'report.html'], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.match(result.stdout, new RegExp(`^wrote: report\\.html \\(${html.length.toLocaleString('en-US')} bytes, 3 bundles\\)$`, 'm'));
    assert.deepEqual(readdirSync(dir).sort(), [...before, 'report.html'].sort(), 'one file, no temp file left');
    assert.ok(html.includes(readFileSync(path.join(app, 'report.js'), 'utf8').replace(/<\/script/gi, '<\\/script')), 'report.js inline');
    assert.ok(html.includes(readFileSync(path.join(app, 'app.css'), 'utf8')), 'app.css inline');
    assertOffline(html);
    const data = embedded(html);
    assert.equal(data.title, 'archbundle report: epoch-0001.archbundle, epoch-0002.archbundle, loose.archbundle');
    assert.ok(Math.abs(Date.parse(data.generated) - Date.now()) < 120_000);
    assert.equal(data.bundles.length, 3);
    for (const [i, file] of files.entries()) {
      const inspect = await runCli(['inspect', file, '--json'], { cwd: dir });
      const expected = JSON.parse(inspect.stdout) as { class: string; parameters: number; tensors: { name: string }[]; epoch: number };
      const { summary } = data.bundles[i]!;
      assert.equal(summary.name, path.basename(file));
      assert.equal(summary.class, expected.class);
      assert.equal(summary.parameters, expected.parameters);
      assert.deepEqual(summary.tensors.map((t) => t.name), expected.tensors.map((t) => t.name));
      assert.equal(summary.training.epoch, expected.epoch);
      assert.equal(summary.bytes, readFileSync(path.join(dir, file)).byteLength);
      assert.equal(data.bundles[i]!.evaluation, undefined, 'no evaluation without --data');
    }
    assert.equal(data.bundles[0]!.summary.parameters, 784 * 4 + 4 + 4 * 10 + 10);
    assert.deepEqual(data.bundles[0]!.run?.metrics, METRICS.map(({ type: _type, ...m }) => m));
    assert.equal(data.bundles[0]!.run?.folder, 'run');
    assert.equal(data.bundles[2]!.run, undefined, 'no metrics.jsonl beside it');
    assert.equal(data.comparisons?.length, 6, 'every ordered pair');
    const pair = data.comparisons!.find((c) => c.reference === 0 && c.other === 1)!;
    assert.equal(pair.changes.length, 4);
    assert.deepEqual(pair.unmatched, []);
    // different seeds: different kernels; biases start at zero in both (no relative change to a zero tensor)
    for (const change of pair.changes) {
      if (change.name.endsWith('kernel')) assert.ok(change.distance > 0 && change.relative! > 0, change.name);
      else assert.deepEqual([change.distance, change.relative], [0, null], change.name);
    }
    const differentShapes = data.comparisons!.find((c) => c.reference === 0 && c.other === 2)!;
    assert.equal(differentShapes.changes.length + differentShapes.unmatched.length, 4);
    assert.ok(differentShapes.unmatched.length >= 2, 'the hidden layer differs in shape');
  });

  it('evaluates with --data, on --limit test examples', async () => {
    const result = await runCli(['report', 'run/epoch-0002.archbundle', '-o', 'evaluated.html', '--data', 'fashion-mnist', '--limit', '40', '--title', 'Evaluated'], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^run\/epoch-0002\.archbundle: [0-9.]+% on 40 fashion-mnist test examples$/m);
    assert.match(result.stdout, /^wrote: evaluated\.html \([0-9,]+ bytes, 1 bundle, evaluated on fashion-mnist\)$/m);
    const html = readFileSync(path.join(dir, 'evaluated.html'), 'utf8');
    assertOffline(html);
    const data = embedded(html);
    assert.equal(data.title, 'Evaluated');
    assert.equal(data.comparisons, undefined, 'no comparison of one bundle');
    const evaluation = data.bundles[0]!.evaluation!;
    assert.equal(evaluation.dataset, 'fashion-mnist');
    assert.equal(evaluation.examples, 40);
    assert.equal(evaluation.confusion.length, 10);
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 40);
    assert.ok(evaluation.misclassified.every((m) => m.image.startsWith('data:image/png;base64,')));
  });

  it('keeps hostile text inside its script element', async () => {
    const title = '</script><script>alert(1)</script><!-- & \u2028\u2029 "quoted"';
    const result = await runCli(['report', 'loose.archbundle', '-o', 'hostile-title.html', '--title', title], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    const html = readFileSync(path.join(dir, 'hostile-title.html'), 'utf8');
    assert.equal(embedded(html).title, title);
    assert.equal(html.match(/<\/script/gi)?.length, 2, 'only the two script elements end');
    assert.ok(!html.includes('<script>alert'), 'the title never becomes markup');
    assert.match(html, /<title>&#60;\/script&#62;&#60;script&#62;alert\(1\)/);
    assert.equal(jsonForScript({ t: '<>&\u2028\u2029' }), '{"t":"\\u003c\\u003e\\u0026\\u2028\\u2029"}');
  });

  it('refuses a bundle that fails to read with its code, and writes nothing', async () => {
    writeFileSync(path.join(dir, 'kept.html'), 'an older report');
    const before = readdirSync(dir).sort();
    for (const output of ['new.html', 'kept.html']) {
      const result = await runCli(['report', 'loose.archbundle', 'hostile.archbundle', '-o', output], { cwd: dir, env });
      assert.equal(result.code, 1);
      assert.equal(result.stdout.includes('wrote:'), false);
      assert.equal(result.stderr.split('\n').length, 2, 'one line');
      assert.match(result.stderr, /^archbundle report: E_CHECKSUM: bundle entries do not match manifest\.json: weights\.bin: expected 460 bytes sha256 [0-9a-f]{64}, received 460 bytes sha256 [0-9a-f]{64}\n$/);
    }
    assert.equal(existsSync(path.join(dir, 'new.html')), false);
    assert.equal(readFileSync(path.join(dir, 'kept.html'), 'utf8'), 'an older report');
    assert.deepEqual(readdirSync(dir).sort(), before, 'no temp file left');
    const missing = await runCli(['report', 'nope.archbundle', '-o', 'new.html'], { cwd: dir, env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^archbundle report: E_IO: /);
  });

  it('usage errors are one line and exit 2', async () => {
    for (const [argv, pattern] of [
      [['report', '-o', 'x.html'], /expected at least one bundle file, received none/],
      [['report', 'loose.archbundle'], /expected -o FILE\.html/],
      [['report', 'loose.archbundle', '-o', 'loose.archbundle'], /-o loose\.archbundle is one of the bundles/],
      [['report', 'loose.archbundle', '-o', 'x.html', '--data', 'imagenet'], /--data must be one of fashion-mnist, mnist, cifar10, received "imagenet"/],
      [['report', 'loose.archbundle', '-o', 'x.html', '--data', 'fashion-mnist', '--limit', '0'], /--limit must be a positive integer, received "0"/],
      [['report', 'loose.archbundle', '-o', 'x.html', '--limit', '5'], /--limit applies to the evaluation: pass --data NAME/],
      [['report', 'loose.archbundle', '-o', 'x.html', '--backend', 'tpu'], /--backend must be one of auto, /],
    ] as const) {
      const result = await runCli([...argv], { cwd: dir, env });
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim().split('\n').length, 1);
      assert.match(result.stderr, pattern);
      assert.match(result.stderr, /^archbundle report: .*\(see archbundle report --help\)\n$/);
    }
    assert.equal(existsSync(path.join(dir, 'x.html')), false);
  });
});
