/**
 * Redis going away under the sweep queue, for real: a private redis-server with an append-only
 * file, stopped and started again on the same port. An idle `archbundle worker` outlives the
 * restart (ioredis reconnects) and then trains what is queued; `sweep --queue` keeps following a
 * run through an outage, says so in one line, and ends with exit 0. Neither prints a stack trace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnCli, type RunningCli } from './helpers/cli.js';
import { startRedis, type RedisServer } from './helpers/redis-server.js';
import { tempDir } from './helpers/tempdir.js';

const ENV = { ARCHBUNDLE_BACKEND: process.env.ARCHBUNDLE_TEST_BACKEND ?? 'wasm' };
const RESOLUTION = [1, 28, 28];
const dir = tempDir('archbundle-sweep-outage-');

/**
 * Stops Redis the way a restart does (SIGTERM: it writes its append-only file), then starts it
 * again on the same port with the same data. Called inside a test, so the new server is stopped
 * after that test (node:test's after() belongs to the test that calls it).
 */
async function restartRedis(redis: RedisServer & { dir: string }, downMs: number): Promise<void> {
  const exited = new Promise((resolve) => redis.process.once('exit', resolve));
  redis.process.kill('SIGTERM');
  await exited;
  await sleep(downMs);
  await startRedis({ port: redis.port, dir: redis.dir, appendonly: true });
}

const started: RunningCli[] = [];
after(() => {
  for (const s of started) s.child.kill('SIGKILL');
});

function start(cwd: string, args: string[]): RunningCli {
  const s = spawnCli(args, { cwd, env: ENV });
  started.push(s);
  return s;
}

function sweepFolder(name: string, modelClass: 'MLP' | 'LeNet', epochs: number): string {
  const folder = path.join(dir, name);
  mkdirSync(folder);
  const args = modelClass === 'MLP' ? { classes: 4, resolution: [1, 8, 8], hidden: [8] } : { classes: 4, resolution: RESOLUTION };
  const resolution = modelClass === 'MLP' ? [1, 8, 8] : RESOLUTION;
  const base = {
    model: { class: modelClass, args },
    data: { dataset: 'synthetic', synthetic: { train: modelClass === 'MLP' ? 64 : 768, test: 16, classes: 4, resolution }, batchSize: 32 },
    optimizer: { class: 'SGD', args: { learningRate: 0.02 } },
    epochs,
    output: 'out',
  };
  writeFileSync(path.join(folder, 'sweep.json'), JSON.stringify({ base, grid: { seed: [5] } }));
  return folder;
}

async function until(what: string, timeoutMs: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const STACK_LINE = /^\s+at /m;

describe('a Redis restart under the sweep queue', { concurrency: false }, () => {
  it('an idle worker outlives the restart and then trains the run queued after it', { timeout: 180_000 }, async () => {
    const folder = sweepFolder('idle', 'MLP', 1);
    const redis = await startRedis({ appendonly: true });
    const url = `${redis.url}/idle`;
    const worker = start(folder, ['worker', '--queue', url, '--threads', '1', '--idle-exit', '2']);
    await until('the worker to start', 60_000, () => /worker \S+: queue idle/.test(worker.output()));
    await restartRedis(redis, 1500);
    const follow = start(folder, ['sweep', 'sweep.json', '--queue', url]);
    assert.equal(await follow.exited, 0, follow.output());
    assert.match(follow.output(), /\n1\/1 done, 0 running, 0 failed, 0 queued\n/);
    assert.equal(await worker.exited, 0, worker.output());
    assert.match(worker.output(), /stopped: 1 run done, 0 failed/);
    const trouble = worker.output().match(/queue connection: .*$/gm) ?? [];
    assert.ok(trouble.length >= 2, `the outage was noticed, and its end:\n${worker.output()}`);
    assert.equal(trouble.at(-1), 'queue connection: Redis answers again');
    assert.ok(trouble.length <= 6, `a line per kind of trouble, not per reconnect attempt:\n${trouble.join('\n')}`);
    assert.doesNotMatch(worker.output(), STACK_LINE);
    assert.doesNotMatch(worker.output(), /Unhandled error event/);
  });

  it('sweep --queue follows a run through an outage: one line, then the counts again, exit 0', { timeout: 300_000 }, async () => {
    const folder = sweepFolder('following', 'LeNet', 4);
    const redis = await startRedis({ appendonly: true });
    const url = `${redis.url}/following`;
    const follow = start(folder, ['sweep', 'sweep.json', '--queue', url]);
    const worker = start(folder, ['worker', '--queue', url, '--threads', '1', '--idle-exit', '2']);
    const output = path.join(folder, 'out');
    await until('the first checkpoint', 120_000, () => existsSync(output) && existsSync(path.join(output, runId(output), 'epoch-0001.archbundle')));
    await restartRedis(redis, 2500);
    assert.equal(await follow.exited, 0, follow.output());
    assert.equal(follow.output().match(/Redis does not answer \(/g)?.length, 1, follow.output());
    assert.match(follow.output(), /\n1\/1 done, 0 running, 0 failed, 0 queued\n/);
    assert.doesNotMatch(follow.output(), STACK_LINE);
    assert.equal(await worker.exited, 0, worker.output());
    assert.match(worker.output(), /stopped: 1 run done, 0 failed/);
    assert.doesNotMatch(worker.output(), STACK_LINE);
  });
});

/** The one run's folder name (its id), once `sweep` has written it. */
function runId(output: string): string {
  const index = path.join(output, 'sweep.json');
  if (!existsSync(index)) return '\0';
  const { runs } = JSON.parse(readFileSync(index, 'utf8')) as { runs: { id: string }[] };
  return runs[0]?.id ?? '\0';
}
