/**
 * `archbundle view`'s server, without a browser: what it lists (files, folders, one level of
 * sub-folders, metrics.jsonl), each route's status, headers and body against the protocol's
 * types, the samples against the dataset's own files, and what it refuses (paths leaving the
 * app's folder, foreign Host headers, unknown ids and routes, oversized requests). Then the
 * command itself: its URL line, SIGTERM, a busy port, usage errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, createServer } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { fakeApp, tinyBundle } from './helpers/viewer-bundles.js';
import type { ErrorResponse, SamplesResponse, ViewerSession } from '../src/core/viewer-protocol.js';
import { loadDataset } from '../src/node/data/load.js';
import { discover } from '../src/node/viewer/discover.js';
import { MAX_SAMPLES_PER_REQUEST } from '../src/node/viewer/samples.js';
import { startViewerServer, type ViewerServer } from '../src/node/viewer/server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (node:http sends the path as given, so `/../x` reaches the server unnormalised). */
function get(port: number, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function errorOf(reply: Reply): ErrorResponse['error'] {
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  const body = JSON.parse(reply.body.toString()) as ErrorResponse;
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

const dir = tempDir('archbundle-viewer-server-');
const runs = path.join(dir, 'runs');
const app = fakeApp(path.join(dir, 'app'));
const METRICS = [
  { type: 'epoch', epoch: 1, step: 10, loss: 1.5, accuracy: 0.4, val_loss: 1.4, val_accuracy: 0.45, learningRate: 0.01 },
  { type: 'epoch', epoch: 2, step: 20, loss: 1.2, accuracy: 0.55, val_loss: null, val_accuracy: 0.5, learningRate: 0.005 },
  { type: 'test', epoch: 2, loss: 1.25, accuracy: 0.52, count: 10000 },
];

before(async () => {
  await tinyBundle(path.join(runs, 'alpha', 'epoch-0001.archbundle'), { seed: 1, epoch: 1 });
  await tinyBundle(path.join(runs, 'alpha', 'epoch-0002.archbundle'), { seed: 2, epoch: 2 });
  await tinyBundle(path.join(runs, 'alpha', 'epoch-0010.archbundle'), { seed: 3, epoch: 10 });
  // a line cut short: training is writing it as the viewer reads
  writeFileSync(path.join(runs, 'alpha', 'metrics.jsonl'), `${METRICS.map((m) => JSON.stringify(m)).join('\n')}\n{"type":"epo`);
  await tinyBundle(path.join(runs, 'beta', 'only.archbundle'), { seed: 4 });
  await tinyBundle(path.join(runs, 'top.archbundle'), { seed: 5 });
  await tinyBundle(path.join(runs, 'beta', 'deeper', 'too-deep.archbundle'));
  await tinyBundle(path.join(runs, '.hidden', 'hidden.archbundle'));
  writeFileSync(path.join(runs, 'beta', 'notes.txt'), 'not a bundle');
  mkdirSync(path.join(runs, 'gamma'));
  writeFileSync(path.join(runs, 'gamma', 'metrics.jsonl'), `${JSON.stringify(METRICS[0])}\n`);
});

describe('session discovery', () => {
  it('lists a folder, one level of sub-folders, their metrics.jsonl, in natural order', async () => {
    const found = await discover(['runs'], dir);
    assert.deepEqual(
      found.bundles.map((b) => b.path),
      ['runs/alpha/epoch-0001.archbundle', 'runs/alpha/epoch-0002.archbundle', 'runs/alpha/epoch-0010.archbundle', 'runs/beta/only.archbundle', 'runs/top.archbundle'],
    );
    assert.deepEqual(found.runs.map((r) => r.folder), ['runs', 'runs/alpha', 'runs/beta', 'runs/gamma']);
    const alpha = found.runs.find((r) => r.folder === 'runs/alpha')!;
    assert.deepEqual(alpha.metrics, [
      { epoch: 1, step: 10, loss: 1.5, accuracy: 0.4, val_loss: 1.4, val_accuracy: 0.45, learningRate: 0.01 },
      { epoch: 2, step: 20, loss: 1.2, accuracy: 0.55, val_loss: null, val_accuracy: 0.5, learningRate: 0.005 },
      { epoch: 2, test_loss: 1.25, test_accuracy: 0.52, test_count: 10000 },
    ]);
    assert.equal(found.runs.find((r) => r.folder === 'runs/gamma')!.metrics.length, 1, 'a folder with metrics.jsonl and no bundle is a run');
    assert.deepEqual(found.runs.find((r) => r.folder === 'runs/beta')!.metrics, []);
    assert.ok(found.bundles.slice(0, 3).every((b) => b.run === alpha.id));
    assert.equal(found.bundles[4]!.run, found.runs[0]!.id);
    assert.match(found.notes.join('\n'), /metrics\.jsonl:4: not JSON/);
    const first = found.bundles[0]!;
    assert.equal(first.bytes, readFileSync(path.join(runs, 'alpha', 'epoch-0001.archbundle')).byteLength);
    assert.ok(!Number.isNaN(Date.parse(first.modified)));
    assert.equal(first.name, 'epoch-0001.archbundle');
  });

  it('takes files as given, keeps ids stable, and refuses a path that does not exist', async () => {
    const file = path.join(runs, 'beta', 'notes.txt');
    const found = await discover([file, 'runs/top.archbundle'], dir);
    assert.deepEqual(found.bundles.map((b) => b.name), ['notes.txt', 'top.archbundle']);
    const again = await discover(['runs'], dir);
    assert.equal(again.bundles.find((b) => b.name === 'top.archbundle')!.id, found.bundles[1]!.id);
    await assert.rejects(discover(['nope'], dir), (e: Error & { code?: string }) => e.code === 'E_IO' && /nope: expected a bundle file or a folder, no such file or folder/.test(e.message));
    const none = await discover([], path.join(runs, 'gamma'));
    assert.deepEqual(none.bundles, []);
    assert.match(none.notes[0]!, /no \.archbundle files/);
  });
});

describe('the server', () => {
  let server: ViewerServer;
  let session: ViewerSession;
  const lines: string[] = [];
  before(async () => {
    server = await startViewerServer({ inputs: ['runs'], cwd: dir, port: 0, appDir: app, log: (l) => lines.push(l) });
    session = JSON.parse((await get(server.port, '/api/session')).body.toString()) as ViewerSession;
  });
  after(() => server.close());

  it('binds 127.0.0.1 and prints its URL', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    assert.match(server.dataset.line, /^samples: fashion-mnist test split, 10,000 examples \(from the input contract of runs\/alpha\/epoch-0001\.archbundle\)$/);
    assert.match(lines.join('\n'), /note: .*metrics\.jsonl:4/);
  });

  it('GET /api/session: the bundles, the runs and the samples, never cached', async () => {
    const reply = await get(server.port, '/api/session');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(session.archbundleVersion, version);
    assert.equal(session.bundles.length, 5);
    for (const b of session.bundles) {
      assert.deepEqual(Object.keys(b).sort(), ['bytes', 'id', 'modified', 'name', 'path', 'run']);
      assert.equal('file' in b, false, 'absolute paths stay in the server');
    }
    assert.deepEqual(session.samples, { dataset: 'fashion-mnist', count: 10000 });
    assert.equal(session.runs.length, 4);
  });

  it('GET /api/bundles/<id>: the file\'s bytes, whole or a range', async () => {
    for (const bundle of session.bundles) {
      const reply = await get(server.port, `/api/bundles/${bundle.id}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], 'application/octet-stream');
      assert.equal(Number(reply.headers['content-length']), bundle.bytes);
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.ok(reply.body.equals(readFileSync(path.join(dir, bundle.path))), bundle.path);
    }
    const bundle = session.bundles[0]!;
    const bytes = readFileSync(path.join(dir, bundle.path));
    const part = await get(server.port, `/api/bundles/${bundle.id}`, { Range: 'bytes=512-1023' });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 512-1023/${bytes.byteLength}`);
    assert.ok(part.body.equals(bytes.subarray(512, 1024)));
    const tail = await get(server.port, `/api/bundles/${bundle.id}`, { Range: 'bytes=-100' });
    assert.ok(tail.body.equals(bytes.subarray(bytes.byteLength - 100)));
    const past = await get(server.port, `/api/bundles/${bundle.id}`, { Range: `bytes=${bytes.byteLength}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${bytes.byteLength}`);
    assert.equal(errorOf(past).code, 'E_RANGE');
    const head = await get(server.port, `/api/bundles/${bundle.id}`, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.byteLength, 0);
    const unknown = await get(server.port, '/api/bundles/b-000000000000');
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown).code, 'E_NOT_FOUND');
  });

  it('GET /api/samples: the test split\'s images and labels, as the dataset files hold them', async () => {
    const dataset = await loadDataset('fashion-mnist', { download: false, synthetic: { train: 1, test: 1, classes: 10, resolution: [1, 28, 28], noise: 0 } });
    const reply = await get(server.port, '/api/samples?dataset=fashion-mnist&offset=9990&count=20');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['cache-control'], 'no-store');
    const body = JSON.parse(reply.body.toString()) as SamplesResponse;
    assert.deepEqual(Object.keys(body).sort(), ['count', 'dataset', 'labels', 'offset', 'pixels', 'shape', 'targets', 'total']);
    assert.equal(body.dataset, 'fashion-mnist');
    assert.deepEqual(body.shape, [28, 28, 1]);
    assert.deepEqual(body.labels, dataset.classNames);
    assert.equal(body.offset, 9990);
    assert.equal(body.count, 10, 'cut at the end of the split');
    assert.equal(body.total, 10000);
    assert.deepEqual(body.targets, Array.from(dataset.test.labels.subarray(9990)));
    assert.ok(Buffer.from(body.pixels, 'base64').equals(Buffer.from(dataset.test.images.subarray(9990 * 784))));
    const first = JSON.parse((await get(server.port, `/api/samples?count=${MAX_SAMPLES_PER_REQUEST}`)).body.toString()) as SamplesResponse;
    assert.equal(first.dataset, 'fashion-mnist', "the session's dataset by default");
    assert.equal(first.count, MAX_SAMPLES_PER_REQUEST);
    assert.ok(Buffer.from(first.pixels, 'base64').equals(Buffer.from(dataset.test.images.subarray(0, MAX_SAMPLES_PER_REQUEST * 784))));
    assert.deepEqual(first.targets, Array.from(dataset.test.labels.subarray(0, MAX_SAMPLES_PER_REQUEST)));
  });

  it('refuses samples past the cap, bad parameters and unknown datasets with 400', async () => {
    for (const [query, pattern] of [
      [`count=${MAX_SAMPLES_PER_REQUEST + 1}`, /count must be at most 2000 per request, received 2001/],
      ['count=0', /count must be an integer of at least 1, received "0"/],
      ['offset=-1', /offset must be an integer of at least 0/],
      ['offset=1.5', /offset must be an integer/],
      ['offset=10000', /offset must be below 10000/],
      ['dataset=imagenet', /dataset must be one of fashion-mnist, mnist, cifar10, received "imagenet"/],
    ] as const) {
      const reply = await get(server.port, `/api/samples?${query}`);
      assert.equal(reply.status, 400, query);
      const error = errorOf(reply);
      assert.equal(error.code, 'E_BAD_REQUEST');
      assert.match(error.message, pattern);
    }
  });

  it('serves the app\'s files with their types, and nothing outside its folder', async () => {
    const index = await get(server.port, '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.ok(index.body.equals(readFileSync(path.join(app, 'index.html'))));
    assert.equal((await get(server.port, '/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(server.port, '/app.css')).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await get(server.port, '/tfjs-backend-wasm.wasm')).headers['content-type'], 'application/wasm');
    copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    for (const target of ['/../package.json', '/%2e%2e/package.json', '/%2E%2E%2Fpackage.json', '/..%2fpackage.json', '/..%5cpackage.json', '/app.js/../../package.json', '//etc/passwd', '/%00', '/%zz']) {
      const reply = await get(server.port, target);
      assert.equal(reply.status, 400, target);
      assert.equal(errorOf(reply).code, 'E_BAD_REQUEST', target);
    }
    for (const target of ['/nope.js', '/.hidden', '/api', '/api/nope', '/index.html/']) {
      const reply = await get(server.port, target);
      assert.ok(reply.status === 404 || reply.status === 400, `${target}: ${reply.status}`);
    }
    assert.equal(errorOf(await get(server.port, '/api/nope')).code, 'E_NOT_FOUND');
    mkdirSync(path.join(app, 'folder'), { recursive: true });
    assert.equal((await get(server.port, '/folder')).status, 404, 'no folder listing');
  });

  it('answers only requests addressed to 127.0.0.1:PORT or localhost:PORT (DNS rebinding)', async () => {
    assert.equal((await get(server.port, '/api/session', { Host: `localhost:${server.port}` })).status, 200);
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`, `0.0.0.0:${server.port}`]) {
      const reply = await get(server.port, '/api/session', { Host: host });
      assert.equal(reply.status, 403, host);
      assert.equal(errorOf(reply).code, 'E_FORBIDDEN');
    }
    const bundle = await get(server.port, `/api/bundles/${session.bundles[0]!.id}`, { Host: 'evil.example' });
    assert.equal(bundle.status, 403);
    assert.ok(!bundle.body.includes(Buffer.from('arch.json')), 'no bundle bytes to a foreign host');
  });

  it('answers only GET and HEAD', async () => {
    const reply = await get(server.port, '/api/session', {}, 'POST');
    assert.equal(reply.status, 405);
    assert.equal(reply.headers.allow, 'GET, HEAD');
    assert.equal(errorOf(reply).code, 'E_METHOD');
  });

  it('lists a bundle written after it started', async () => {
    await tinyBundle(path.join(runs, 'alpha', 'epoch-0011.archbundle'), { seed: 6, epoch: 11 });
    const now = JSON.parse((await get(server.port, '/api/session')).body.toString()) as ViewerSession;
    const added = now.bundles.find((b) => b.name === 'epoch-0011.archbundle');
    assert.ok(added);
    assert.equal((await get(server.port, `/api/bundles/${added.id}`)).status, 200);
  });
});

describe('the session dataset', () => {
  it('is null, with the reason logged, when the first bundle cannot be read', async () => {
    const folder = path.join(dir, 'hostile');
    mkdirSync(folder);
    copyFileSync(path.join(ROOT, 'test/fixtures/bad-bundles/checksum-flipped-byte.bundle'), path.join(folder, 'a.archbundle'));
    const server = await startViewerServer({ inputs: ['hostile'], cwd: dir, port: 0, appDir: app });
    try {
      assert.match(server.dataset.line, /^samples: none \(hostile\/a\.archbundle could not be read \(E_CHECKSUM: .*\); pass --data NAME\)$/);
      const session = JSON.parse((await get(server.port, '/api/session')).body.toString()) as ViewerSession;
      assert.equal(session.samples, null);
      assert.equal(session.bundles.length, 1, 'listed all the same: the browser shows its error');
      const reply = await get(server.port, '/api/samples?count=1');
      assert.equal(reply.status, 400);
      assert.match(errorOf(reply).message, /no dataset/);
      assert.equal((await get(server.port, '/api/samples?dataset=fashion-mnist&count=1')).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('archbundle view', () => {
  it('prints its URL, serves without loading TensorFlow.js, and exits 0 on SIGTERM', async () => {
    // the server lists and streams; only the browser runs models, so TF.js is forbidden here
    const guard = path.join(ROOT, 'test/helpers/forbid-tfjs.mjs');
    const child = spawn(process.execPath, ['--import', guard, BIN, 'view', 'runs/alpha', '--port', '0', '--open'], {
      cwd: dir,
      // --open with a browser that cannot be started: said, and the server keeps serving
      env: { ...process.env, ARCHBUNDLE_VIEWER_DIR: app, BROWSER: path.join(dir, 'no-such-browser') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${out}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /^viewer: (http:\/\/127\.0\.0\.1:(\d+)\/)$/m.exec(out);
        if (match && /serving until interrupted/.test(out)) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then(() => reject(new Error(`exited before printing its URL:\n${out}`)));
    });
    // a failed assertion must not leave the server running (the test would never end)
    after(() => void child.kill('SIGKILL'));
    const port = Number(new URL(url).port);
    const session = JSON.parse((await get(port, '/api/session')).body.toString()) as ViewerSession;
    const expected = (await discover(['runs/alpha'], dir)).bundles.length;
    assert.equal(session.bundles.length, expected);
    assert.match(out, new RegExp(`^viewer: ${expected} bundles, 1 run$`, 'm'));
    assert.match(out, /^viewer: samples: fashion-mnist test split, 10,000 examples/m);
    assert.match(out, /^viewer: could not open a browser \(.*no-such-browser not found\); open http:\/\/127\.0\.0\.1:\d+\/ yourself$/m);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, out);
    assert.match(out, /viewer: stopped \(SIGTERM\)\n$/);
  });

  it('names a busy port and suggests --port 0', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(['view', 'runs/beta', '--port', String(port)], { cwd: dir, env: { ARCHBUNDLE_VIEWER_DIR: app } });
      assert.equal(run.code, 1);
      assert.equal(run.stderr, `archbundle view: E_IO: port ${port} on 127.0.0.1 is in use (another archbundle view?): pass --port N for another one, or --port 0 for any free port\n`);
    } finally {
      blocker.close();
    }
  });

  it('fails with E_IO for a path that does not exist and for a missing app', async () => {
    const missing = await runCli(['view', 'nope', '--port', '0'], { cwd: dir, env: { ARCHBUNDLE_VIEWER_DIR: app } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^archbundle view: E_IO: cannot view nope: expected a bundle file or a folder, no such file or folder\n$/);
    const noApp = await runCli(['view', '--port', '0'], { cwd: dir, env: { ARCHBUNDLE_VIEWER_DIR: path.join(dir, 'no-app') } });
    assert.equal(noApp.code, 1);
    assert.match(noApp.stderr, /^archbundle view: E_IO: the viewer's built app is missing from .*no-app \(ARCHBUNDLE_VIEWER_DIR\): expected index\.html, app\.js, report\.js, app\.css, missing index\.html, app\.js, report\.js, app\.css\n$/);
  });

  it('usage errors are one line and exit 2', async () => {
    for (const [argv, pattern] of [
      [['view', '--port', 'abc'], /--port must be an integer from 0 to 65535, received "abc"/],
      [['view', '--port', '70000'], /--port must be an integer from 0 to 65535/],
      [['view', '--data', 'imagenet'], /--data must be one of fashion-mnist, mnist, cifar10, received "imagenet"/],
      [['view', '--data', 'synthetic'], /--data must be one of fashion-mnist, mnist, cifar10/],
      [['view', '--host', '0.0.0.0'], /--host must be 127\.0\.0\.1 or localhost .*SSH tunnel/],
      [['view', '--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const run = await runCli([...argv], { cwd: dir, env: { ARCHBUNDLE_VIEWER_DIR: app } });
      assert.equal(run.code, 2, `${argv.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.trim().split('\n').length, 1);
      assert.match(run.stderr, /^archbundle view: /);
      assert.match(run.stderr, pattern);
      assert.match(run.stderr, /\(see archbundle view --help\)\n$/);
    }
  });
});
