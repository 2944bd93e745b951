/**
 * What a user installs: `npm pack`, then an install of the tarball into an empty folder, where
 * the CLI, the main entry and archbundle/core must work without anything from this checkout.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ROOT } from './helpers/cli.js';
import { optimizers, schedulers } from '../src/core/index.js';

const run = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package, installed into an empty folder', { timeout: 600_000 }, () => {
  const packs = mkdtempSync(path.join(os.tmpdir(), 'archbundle-pack-'));
  const app = mkdtempSync(path.join(os.tmpdir(), 'archbundle-app-'));
  let files: string[] = [];
  after(() => [packs, app].forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  before(async () => {
    const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', packs], { cwd: ROOT, maxBuffer: 1 << 26 });
    files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    // As docs/onnx.md tells users: onnxruntime-node's install script would otherwise download
    // CUDA provider libraries (hundreds of MB, from outside the npm registry) on Linux x64. Its
    // CPU binaries ship inside the npm package, so the install stays offline-safe and complete.
    writeFileSync(path.join(app, '.npmrc'), 'onnxruntime-node-install=skip\n');
    const tarball = path.join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz'))!);
    await run(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, maxBuffer: 1 << 26 });
  });

  it('holds the compiled library, schemas and docs, and no tests, benches or scripts', () => {
    assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/core/index.js') && files.includes('dist/src/train.js'));
    assert.ok(files.includes('schemas/config.schema.json') && files.includes('architectures/simplenet/schema.json'));
    assert.deepEqual(files.filter((f) => /^(dist\/)?(test|bench|scripts)\//.test(f) || /\.test\.(js|ts)$/.test(f) || f.startsWith('src/')), []);
  });

  it('runs `npx archbundle --help`, `npx archbundle validate` and `npx archbundle predict` on a PNG (sharp installed with it)', async () => {
    const help = await run('npx', ['archbundle', '--help'], { cwd: app });
    assert.match(help.stdout, /^Usage: archbundle <command>/);
    const save = `import { createModel, createOptimizer, State } from 'archbundle';
      await State.checkpoint('tiny.archbundle', createModel('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] }), createOptimizer('Adam', { learningRate: 0.01 }));`;
    await run(process.execPath, ['--input-type=module', '-e', save], { cwd: app, env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu' } });
    const valid = await run('npx', ['archbundle', 'validate', 'tiny.archbundle', '--json'], { cwd: app });
    assert.equal((JSON.parse(valid.stdout) as { valid: boolean }[])[0]!.valid, true);
    await sharp(Buffer.alloc(16, 128), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toFile(path.join(app, 'grey.png'));
    const predicted = await run('npx', ['archbundle', 'predict', 'tiny.archbundle', 'grey.png', '--json'], { cwd: app, env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu' } });
    const [prediction] = (JSON.parse(predicted.stdout) as { predictions: { input: string; top: unknown[] }[] }).predictions;
    assert.equal(prediction!.input, 'grey.png');
    assert.equal(prediction!.top.length, 3);
    writeFileSync(path.join(app, 'broken.archbundle'), 'not a tar');
    await assert.rejects(run('npx', ['archbundle', 'validate', 'broken.archbundle'], { cwd: app }), (error: { code?: number; stdout?: string }) => error.code === 1);
  });

  it('installs the optional onnxruntime-node without its CUDA download; predict runs on it, and on TF.js with the reason when it is absent', async () => {
    const ortFolder = path.join(app, 'node_modules', 'onnxruntime-node');
    assert.ok(existsSync(path.join(ortFolder, 'package.json')), 'onnxruntime-node is installed with archbundle');
    const binaries = path.join(ortFolder, 'bin', 'napi-v6', process.platform, process.arch);
    assert.deepEqual(readdirSync(binaries).filter((f) => /providers_(cuda|tensorrt)/.test(f)), [], 'no CUDA download');
    const env = { ...process.env, ARCHBUNDLE_BACKEND: 'cpu', ARCHBUNDLE_ENGINE: '' };
    const predict = async (...extra: string[]) => {
      const { stdout } = await run('npx', ['archbundle', 'predict', 'tiny.archbundle', 'grey.png', '--json', ...extra], { cwd: app, env });
      return JSON.parse(stdout) as { engine: string; engineFallback?: string; predictions: { logits: number[] }[] };
    };
    const native = await predict();
    assert.equal(native.engine, 'onnxruntime');
    assert.equal(native.predictions[0]!.logits.length, 3);
    // Without the optional package (a platform it has no binary for, or --omit=optional), auto
    // says why and uses TF.js; asking for onnxruntime is an error.
    const away = path.join(app, 'node_modules', '.onnxruntime-node-away');
    renameSync(ortFolder, away);
    try {
      const fallback = await predict();
      assert.equal(fallback.engine, 'tfjs');
      assert.match(fallback.engineFallback!, /onnxruntime-node is not installed/);
      const error = Math.max(...fallback.predictions[0]!.logits.map((v, i) => Math.abs(v - native.predictions[0]!.logits[i]!)));
      assert.ok(error <= 1e-4 * Math.max(...native.predictions[0]!.logits.map(Math.abs)), `engines differ by ${error}`);
      await assert.rejects(predict('--engine', 'onnxruntime'), (e: { code?: number; stderr?: string }) => e.code === 1 && /E_BACKEND: onnxruntime-node is not installed/.test(e.stderr ?? ''));
    } finally {
      renameSync(away, ortFolder);
    }
  });

  it('serves the Python package as its published files (schemas, optimizer and scheduler schemas, PyTorch mappings)', async () => {
    // Tools in other languages read the installed npm package alone: python/ pointed at it
    // validates the bundle archbundle wrote there (which names an optimizer, so its schema is found).
    const env = { ...process.env, PYTHONPATH: path.join(ROOT, 'python'), ARCHBUNDLE_PUBLISHED: path.join(app, 'node_modules', 'archbundle') };
    const { stdout } = await run('/usr/bin/python3', ['-m', 'archbundle', 'validate', 'tiny.archbundle', '--json'], { cwd: app, env });
    const [result] = JSON.parse(stdout) as { valid: boolean; class: string }[];
    assert.deepEqual([result!.valid, result!.class], [true, 'MLP']);
    const listing = 'import json; from archbundle.schemas import class_schemas; print(json.dumps([sorted(class_schemas(k)) for k in ("optimizer", "scheduler")]))';
    const classes = await run('/usr/bin/python3', ['-c', listing], { cwd: app, env });
    assert.deepEqual(JSON.parse(classes.stdout), [[...optimizers.names()].sort(), [...schedulers.names()].sort()]);
  });

  it('ships the built viewer: `npx archbundle report` writes a self-contained file and `npx archbundle view` serves the app', async () => {
    assert.ok(['app.js', 'report.js', 'app.css', 'index.html'].every((f) => files.includes(`dist/viewer/${f}`)), 'dist/viewer is packed');
    await run('npx', ['archbundle', 'report', 'tiny.archbundle', '-o', 'report.html'], { cwd: app, env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu' } });
    const report = readFileSync(path.join(app, 'report.html'), 'utf8');
    assert.match(report, /id="archbundle-report"/);
    assert.doesNotMatch(report, /(src|href)="https?:/);
    // The installed package has no sources to build the app from: it must serve what it ships.
    // the installed bin itself, not npx, so that SIGTERM reaches the server
    const bin = path.join(app, 'node_modules', 'archbundle', 'bin', 'archbundle.js');
    const server = spawn(process.execPath, [bin, 'view', 'tiny.archbundle', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        server.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const found = /viewer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen);
          if (found) resolve(found[1]!);
        });
        server.on('exit', (code) => reject(new Error(`archbundle view exited ${code}: ${seen}`)));
      });
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /app\.js/);
      const session = (await (await fetch(new URL('api/session', url))).json()) as { bundles: { name: string }[] };
      assert.deepEqual(session.bundles.map((b) => b.name), ['tiny.archbundle']);
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it("imports createModel from 'archbundle' and readBundle from 'archbundle/core'", async () => {
    const script = `import { createModel } from 'archbundle';
      import { readBundle, architectures } from 'archbundle/core';
      const model = createModel('SimpleNet', { classes: 10, resolution: [1, 28, 28], channels: 8 });
      console.log(JSON.stringify({ params: model.parameterCount(), read: typeof readBundle, specs: architectures.names() }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu' } });
    const out = JSON.parse(stdout) as { params: number; read: string; specs: string[] };
    assert.ok(out.params > 0);
    assert.equal(out.read, 'function');
    assert.deepEqual(out.specs, ['LeNet', 'MLP', 'ResNet', 'SimpleNet', 'WideResNet']);
  });
});
