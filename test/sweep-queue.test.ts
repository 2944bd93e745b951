/**
 * Sweeps on many machines, for real: a private redis-server, `sweep --queue` and `archbundle
 * worker` processes. A worker is SIGKILLed right after its run's first checkpoint; the run goes
 * back to the queue (BullMQ's stalled-job check), another worker resumes it from that bundle, and
 * every run's final weights equal an uninterrupted local sweep's byte for byte. A worker stopped
 * with SIGTERM puts its run back at once; a diverging run fails once per pass; a run whose workers
 * keep dying is given up. Plus the errors: Redis unreachable, a queue that another sweep owns, an
 * output folder that another sweep owns.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, spawnCli, type CliRun, type RunningCli } from './helpers/cli.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis-server.js';
import { splitTar } from './helpers/tar-craft.js';
import { divergingSweep, processAlive, runIdOf, runRecordIn, sweepIndexIn } from './helpers/sweep-folder.js';
import { tempDir } from './helpers/tempdir.js';
import { openQueue } from '../src/node/sweep/queue/open-queue.js';
import { parseRedisUrl, type RedisAddress } from '../src/node/sweep/queue/redis-url.js';

const ENV = { ARCHBUNDLE_BACKEND: process.env.ARCHBUNDLE_TEST_BACKEND ?? 'wasm' };
const RESOLUTION = [1, 28, 28];
const EPOCHS = 4;
/** Every run trains with this many threads, locally and in the workers, so the results can be equal. */
const THREADS = Math.max(1, Math.floor(os.availableParallelism() / 2));

/** MLP and LeNet on synthetic data: small, but a LeNet epoch lasts long enough to kill its worker mid-run. */
function sweepFile(epochs: number) {
  return {
    base: {
      data: { dataset: 'synthetic', synthetic: { train: 768, test: 64, classes: 4, resolution: RESOLUTION }, batchSize: 32, validationSplit: 0.125 },
      optimizer: { class: 'SGD', args: { learningRate: 0.02, momentum: 0.9 } },
      epochs,
      checkpoint: { keepLast: 0 },
      output: 'runs/sweep',
    },
    runs: [
      { 'model.class': 'MLP', 'model.args': { classes: 4, resolution: RESOLUTION, hidden: [16] } },
      { 'model.class': 'LeNet', 'model.args': { classes: 4, resolution: RESOLUTION } },
    ],
  };
}

// started here, not in a hook: its after() (stop the server) then belongs to the whole file
const redis: RedisServer = await startRedis();
const dir = tempDir('archbundle-sweep-queue-');
writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify(sweepFile(EPOCHS), null, 2));
writeFileSync(path.join(dir, 'other.json'), JSON.stringify(sweepFile(EPOCHS + 1), null, 2));

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { cwd: dir, env: ENV });
}

const workers: RunningCli[] = [];
after(() => {
  for (const w of workers) w.child.kill('SIGKILL');
});

function startWorker(url: string, ...extra: string[]): RunningCli {
  const worker = spawnCli(['worker', '--queue', url, '--threads', String(THREADS), '--stall-seconds', '2', ...extra], { cwd: dir, env: ENV });
  workers.push(worker);
  return worker;
}

async function weightsOf(bundle: string): Promise<Uint8Array> {
  const weights = (await splitTar(readFileSync(bundle))).get('weights.bin');
  assert.ok(weights, `weights.bin in ${bundle}`);
  return weights;
}

/** The child processes of `pid` (Linux: /proc/PID/task/PID/children). */
function runProcessesOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('archbundle sweep --queue and archbundle worker', { concurrency: false }, () => {
  const local = path.join(dir, 'local');
  const queued = path.join(dir, 'queued');

  it('the reference: the same sweep trained locally, uninterrupted', async () => {
    // --workers 2 gives each run floor(cores / 2) threads: THREADS, as the workers below are told
    const run = await runCli(['sweep', 'sweep.json', '--output', 'local', '--workers', '2'], { cwd: dir, env: ENV });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`workers: 2, ${THREADS} threads? each`));
    assert.deepEqual(sweepIndexIn(local).runs.map((r) => r.state), ['done', 'done']);
  });

  it('two workers take the runs; one is SIGKILLed after its first checkpoint and another resumes its run to the same weights', { timeout: 300_000 }, async () => {
    const url = `${redis.url}/main`;
    const detached = await cli(['sweep', 'sweep.json', '--output', 'queued', '--queue', url, '--detach']);
    assert.equal(detached.code, 0, detached.stderr + detached.stdout);
    assert.match(detached.stdout, /queue redis:\/\/127\.0\.0\.1:\d+\/main: 2 queued now, 0 already queued or running, 0 done before/);
    assert.match(detached.stdout, new RegExp(`archbundle worker --queue ${url.replace(/[.]/g, '\\.')}\n`));
    assert.equal(sweepIndexIn(queued).sweep.id, sweepIndexIn(local).sweep.id, 'the same runs make the same sweep');

    const first = [startWorker(url, '--idle-exit', '3'), startWorker(url, '--idle-exit', '3')];
    const lenet = runIdOf(local, 'LeNet');
    // the worker training LeNet, killed as soon as its first epoch bundle is on disk
    const victimPid = await until('LeNet\'s first checkpoint', 120_000, () =>
      existsSync(path.join(queued, lenet, 'epoch-0001.archbundle')) && Number(runRecordIn(queued, lenet).worker!.split(':').pop()),
    );
    const victim = first.find((w) => w.child.pid === victimPid);
    assert.ok(victim, `run.json names a worker we started (${victimPid})`);
    const trainer = runProcessesOf(victimPid);
    assert.equal(trainer.length, 1, 'the worker trains its run in one child process');
    victim.child.kill('SIGKILL');
    // SIGKILL reaches the worker alone: its run process must notice and stop writing to the run's folder
    await until('the killed worker\'s run process to exit', 10_000, () => !processAlive(trainer[0]!));
    assert.equal(runRecordIn(queued, lenet).state, 'running');
    const rescuer = startWorker(url, '--idle-exit', '3');

    const follow = await cli(['sweep', 'sweep.json', '--output', 'queued', '--queue', url]);
    assert.equal(follow.code, 0, follow.stderr + follow.stdout);
    assert.match(follow.stdout, /0 queued now, 2 already queued or running|1 queued now|0 queued now, 1 already queued or running, 1 done before/);
    assert.match(follow.stdout, new RegExp(`\n${2}/2 done, 0 running, 0 failed, 0 queued\n`));

    const resumed = runRecordIn(queued, lenet);
    assert.equal(resumed.state, 'done');
    assert.equal(resumed.attempts, 2, 'trained twice: before and after the kill');
    assert.notEqual(resumed.worker, `${os.hostname()}:${victimPid}`);
    const survivors = [...first.filter((w) => w !== victim), rescuer];
    const log = survivors.map((w) => w.output()).join('');
    assert.match(log, new RegExp(`${lenet}: attempt 2, resuming after epoch \\d from .*epoch-000\\d\\.archbundle`));

    for (const r of sweepIndexIn(queued).runs) {
      assert.equal(r.state, 'done', `${r.id} done`);
      assert.equal(r.epochsDone, EPOCHS);
      const last = `epoch-${String(EPOCHS).padStart(4, '0')}.archbundle`;
      const mine = await weightsOf(path.join(queued, r.id, last));
      const reference = await weightsOf(path.join(local, r.id, last));
      assert.ok(Buffer.from(mine).equals(Buffer.from(reference)), `${r.axes['model.class']} (${r.id}): final weights.bin equals the local sweep's byte for byte`);
    }
    // the surviving workers notice the empty queue and leave on their own
    for (const w of survivors) assert.equal(await w.exited, 0, w.output());
    assert.equal(await victim.exited, null, 'killed by a signal');
  });

  it('a run that fails (diverged) is failed in the queue, not retried, and recorded with its reason; the other finishes; exit 1; the next pass retries it', { timeout: 300_000 }, async () => {
    const small = path.join(dir, 'diverging');
    mkdirSync(small);
    writeFileSync(path.join(small, 'sweep.json'), JSON.stringify(divergingSweep()));
    const url = `${redis.url}/diverging`;
    const following = runCli(['sweep', 'sweep.json', '--queue', url], { cwd: small, env: ENV });
    const worker = startWorker(url, '--concurrency', '2', '--idle-exit', '2');
    const follow = await following;
    assert.equal(follow.code, 1, follow.stderr + follow.stdout);
    assert.match(follow.stdout, /\n1\/2 done, 0 running, 1 failed, 0 queued\n/);
    assert.equal(follow.stderr.trim().split('\n').length, 1, follow.stderr);
    assert.match(follow.stderr, /^archbundle sweep: run [0-9a-f]{12} failed: E_DIVERGED: training diverged: epoch 1's mean loss is (NaN|-?Infinity)/);
    assert.equal(await worker.exited, 0, worker.output());
    assert.match(worker.output(), /stopped: 1 run done, 1 failed/);

    // as locally, the sweep run again retries the failed run, and only it
    const requeued = await runCli(['sweep', 'sweep.json', '--queue', url, '--detach'], { cwd: small, env: ENV });
    assert.equal(requeued.code, 0, requeued.stderr + requeued.stdout);
    assert.match(requeued.stdout, /: 1 queued now, 0 already queued or running, 1 done before\n/);
    const again = startWorker(url, '--idle-exit', '2');
    assert.equal(await again.exited, 0, again.output());
    assert.match(again.output(), /stopped: 0 runs done, 1 failed/);
    const runs = sweepIndexIn(path.join(small, 'out')).runs;
    const bad = runs.find((r) => r.axes['optimizer.args.learningRate'] === 1e30)!;
    assert.equal(bad.state, 'failed');
    assert.equal(bad.code, 'E_DIVERGED');
    // sweep --detach wrote attempts 1 into sweep.json; nobody followed the second pass, so the worker rebuilt it
    assert.equal(bad.attempts, 2, 'once per pass: the queue never retries a failed run by itself');
    assert.equal(runs.find((r) => r !== bad)!.state, 'done');
  });

  it('a run whose workers keep dying is given up after 3 stalls, and following the sweep records it failed (E_QUEUE)', { timeout: 300_000 }, async () => {
    const doomed = path.join(dir, 'doomed');
    mkdirSync(doomed);
    const base = {
      model: { class: 'LeNet', args: { classes: 4, resolution: RESOLUTION } },
      data: { dataset: 'synthetic', synthetic: { train: 768, test: 64, classes: 4, resolution: RESOLUTION }, batchSize: 32 },
      optimizer: { class: 'SGD', args: { learningRate: 0.02 } },
      epochs: 50,
      output: 'out',
    };
    writeFileSync(path.join(doomed, 'sweep.json'), JSON.stringify({ base, grid: { seed: [7] } }));
    const url = `${redis.url}/doomed`;
    const queuedRun = await runCli(['sweep', 'sweep.json', '--queue', url, '--detach'], { cwd: doomed, env: ENV });
    assert.equal(queuedRun.code, 0, queuedRun.stderr + queuedRun.stdout);
    const output = path.join(doomed, 'out');
    const id = sweepIndexIn(output).runs[0]!.id;
    // attempts 1 to 4 each lose their worker; the stall that follows the 4th is one too many
    for (let attempt = 1; attempt <= 4; attempt++) {
      const worker = startWorker(url);
      await until(`attempt ${attempt} to start`, 120_000, () => {
        const r = existsSync(path.join(output, id, 'run.json')) ? runRecordIn(output, id) : undefined;
        return r?.attempts === attempt && r.worker === `${os.hostname()}:${worker.child.pid}`;
      });
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    const last = startWorker(url, '--idle-exit', '2');
    const follow = await runCli(['sweep', 'sweep.json', '--queue', url], { cwd: doomed, env: ENV });
    assert.equal(await last.exited, 0, last.output());
    assert.equal(follow.code, 1, follow.stderr + follow.stdout);
    assert.match(follow.stdout, /: 0 queued now, 1 already queued or running, 0 done before\n/);
    assert.match(follow.stdout, /\n0\/1 done, 0 running, 1 failed, 0 queued\n/);
    assert.match(follow.stderr, new RegExp(`^archbundle sweep: run ${id} failed: E_QUEUE: the queue gave the run up: job stalled more than allowable limit\n$`));
    const given = runRecordIn(output, id);
    assert.equal(given.state, 'failed');
    assert.equal(given.code, 'E_QUEUE');
    assert.equal(given.attempts, 4);
    assert.equal(sweepIndexIn(output).runs[0]!.state, 'failed');
  });

  it('Redis unreachable: one line naming the address, exit 1, at once', async () => {
    const url = `redis://127.0.0.1:${await freePort()}/nobody`;
    for (const args of [['sweep', 'sweep.json', '--output', 'queued', '--queue', url], ['worker', '--queue', url]]) {
      const started = Date.now();
      const run = await cli(args);
      assert.equal(run.code, 1, run.stderr + run.stdout);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^archbundle (sweep|worker): E_QUEUE: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
      assert.ok(Date.now() - started < 15_000, 'no retrying');
    }
  });

  it("a queue that another sweep still uses is refused, and so is an output folder that another sweep owns", async () => {
    const url = `${redis.url}/shared`;
    const other = await cli(['sweep', 'other.json', '--output', 'other', '--queue', url, '--detach']);
    assert.equal(other.code, 0, other.stderr + other.stdout);
    const otherId = sweepIndexIn(path.join(dir, 'other')).sweep.id;
    const refused = await cli(['sweep', 'sweep.json', '--output', 'queued', '--queue', url]);
    assert.equal(refused.code, 1, refused.stderr + refused.stdout);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^archbundle sweep: E_QUEUE: queue redis://127\\.0\\.0\\.1:\\d+/shared belongs to sweep ${otherId}, which still has 2 runs queued or running`));

    const foreign = await cli(['sweep', 'other.json', '--output', 'queued', '--queue', `${redis.url}/elsewhere`]);
    assert.equal(foreign.code, 1, foreign.stderr + foreign.stdout);
    assert.match(foreign.stderr, /^archbundle sweep: E_SWEEP: output folder .*queued belongs to another sweep/);
  });

  it('a worker stopped with SIGTERM puts its run back into the queue at once; the next worker resumes it', { timeout: 300_000 }, async () => {
    // the other sweep's runs, still queued by the test above
    const url = `${redis.url}/shared`;
    const other = path.join(dir, 'other');
    const lenet = runIdOf(other, 'LeNet');
    const stopped = startWorker(url, '--concurrency', '2');
    await until("LeNet's first checkpoint", 120_000, () => existsSync(path.join(other, lenet, 'epoch-0001.archbundle')));
    const signalled = Date.now();
    stopped.child.kill('SIGTERM');
    assert.equal(await stopped.exited, 0, stopped.output());
    assert.ok(Date.now() - signalled < 20_000, 'stops without waiting for the run');
    assert.match(stopped.output(), new RegExp(`${lenet}: put back into the queue \\(worker stopping\\)`));
    assert.doesNotMatch(stopped.output(), /: failed:/);
    assert.match(stopped.output(), /stopped: \d runs? done, 0 failed/);

    const address = parseRedisUrl(url) as RedisAddress;
    const { queue, close } = openQueue(address, 'shared');
    try {
      assert.equal(await (await queue.getJob(lenet))!.getState(), 'waiting', 'back in the queue, not failed, no lock to wait for');
    } finally {
      await close();
    }
    const next = startWorker(url, '--idle-exit', '2');
    const follow = await cli(['sweep', 'other.json', '--output', 'other', '--queue', url]);
    assert.equal(follow.code, 0, follow.stderr + follow.stdout);
    assert.equal(await next.exited, 0, next.output());
    const resumed = runRecordIn(other, lenet);
    assert.equal(resumed.state, 'done');
    assert.equal(resumed.attempts, 2);
    assert.match(next.output(), new RegExp(`${lenet}: attempt 2, resuming after epoch \\d`));
  });
});
