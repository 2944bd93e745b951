/**
 * `rediss://`: the sweep queue over TLS, for real. A private redis-server that speaks TLS only,
 * with a self-signed certificate made here by openssl for 127.0.0.1. With that certificate
 * trusted (NODE_EXTRA_CA_CERTS) and a password required, `sweep --queue rediss://...` and a
 * worker train a run and the password is never printed; without it trusted, both refuse in one
 * line (E_QUEUE), exit 1, at once.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { BIN, runCli } from './helpers/cli.js';
import { startRedis } from './helpers/redis-server.js';
import { tempDir } from './helpers/tempdir.js';

const OPENSSL = '/usr/bin/openssl';
const ENV = { ARCHBUNDLE_BACKEND: process.env.ARCHBUNDLE_TEST_BACKEND ?? 'wasm' };
const PASSWORD = 's3cret-over-tls';
const dir = tempDir('archbundle-sweep-tls-');

if (!existsSync(OPENSSL)) throw new Error(`${OPENSSL} is missing: install Debian's openssl`);
const cert = path.join(dir, 'cert.pem');
const key = path.join(dir, 'key.pem');
execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
  stdio: 'ignore',
});
const redis = await startRedis({ tls: { cert, key } });
execFileSync('/usr/bin/redis-cli', ['--tls', '--cacert', cert, '-p', String(redis.port), 'CONFIG', 'SET', 'requirepass', PASSWORD], { stdio: 'ignore' });
const url = redis.url.replace('rediss://', `rediss://:${PASSWORD}@`) + '/tls';

writeFileSync(
  path.join(dir, 'sweep.json'),
  JSON.stringify({
    base: {
      model: { class: 'MLP', args: { classes: 4, resolution: [1, 8, 8], hidden: [8] } },
      data: { dataset: 'synthetic', synthetic: { train: 64, test: 16, classes: 4, resolution: [1, 8, 8] }, batchSize: 32 },
      optimizer: { class: 'SGD', args: { learningRate: 0.02 } },
      epochs: 1,
      output: 'out',
    },
    grid: { seed: [1] },
  }),
);

describe('the sweep queue over TLS (rediss://)', { concurrency: false }, () => {
  it('a certificate nobody trusts: one line naming the address, exit 1, at once', async () => {
    for (const args of [['sweep', 'sweep.json', '--queue', url], ['worker', '--queue', url]]) {
      const started = Date.now();
      const run = await runCli(args, { cwd: dir, env: ENV });
      assert.equal(run.code, 1, run.stderr + run.stdout);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^archbundle (sweep|worker): E_QUEUE: cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: self[- ]signed certificate/);
      assert.ok(!(run.stderr + run.stdout).includes(PASSWORD), 'the password is never printed');
      assert.ok(Date.now() - started < 15_000, 'no retrying');
    }
  });

  it('trusted (NODE_EXTRA_CA_CERTS): a worker trains the run that sweep --queue queued and follows', { timeout: 180_000 }, async () => {
    const env = { ...ENV, NODE_EXTRA_CA_CERTS: cert };
    const worker = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--threads', '1', '--idle-exit', '2'], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    worker.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
    try {
      const follow = await runCli(['sweep', 'sweep.json', '--queue', url], { cwd: dir, env });
      assert.equal(follow.code, 0, follow.stderr + follow.stdout);
      assert.match(follow.stdout, /^queue rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+\/tls: 1 queued now/m);
      assert.match(follow.stdout, /archbundle worker --queue rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+\/tls\n/);
      assert.match(follow.stdout, /\n1\/1 done, 0 running, 0 failed, 0 queued\n/);
      assert.equal(await exited, 0, log);
      assert.match(log, /stopped: 1 run done, 0 failed/);
      assert.ok(!(follow.stdout + follow.stderr + log).includes(PASSWORD), 'the password is never printed');
    } finally {
      worker.kill('SIGKILL');
    }
  });
});
