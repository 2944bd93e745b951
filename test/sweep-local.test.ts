/**
 * `archbundle sweep` on one machine, for real: child processes, run folders, sweep.json,
 * re-runs that skip, a child SIGKILLed mid-run and resumed to the same weights byte for byte as
 * an uninterrupted run, Ctrl-C, a second sweep on a busy folder refused, a sweep killed with its
 * children, a diverging run marked failed, another sweep's folder refused.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunRecord } from '../src/core/sweep/types.js';
import { BIN, runCli, type CliRun } from './helpers/cli.js';
import { divergingSweep, processAlive, runIdOf, runRecordIn, sweepIndexIn } from './helpers/sweep-folder.js';
import { splitTar } from './helpers/tar-craft.js';
import { tempDir } from './helpers/tempdir.js';

const ENV = { ARCHBUNDLE_BACKEND: process.env.ARCHBUNDLE_TEST_BACKEND ?? 'wasm' };
const RESOLUTION = [1, 28, 28];

/** MLP and LeNet on synthetic data: small, but a LeNet epoch lasts long enough to be interrupted. */
const SWEEP = {
  $schema: '../schemas/sweep.schema.json',
  base: {
    data: { dataset: 'synthetic', synthetic: { train: 768, test: 64, classes: 4, resolution: RESOLUTION }, batchSize: 32, validationSplit: 0.125 },
    optimizer: { class: 'SGD', args: { learningRate: 0.02, momentum: 0.9 } },
    epochs: 3,
    checkpoint: { keepLast: 0 },
    output: 'runs/sweep',
  },
  runs: [
    { 'model.class': 'MLP', 'model.args': { classes: 4, resolution: RESOLUTION, hidden: [16] } },
    { 'model.class': 'LeNet', 'model.args': { classes: 4, resolution: RESOLUTION } },
  ],
};

const dir = tempDir('archbundle-sweep-');
writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify(SWEEP, null, 2));

function sweep(args: string[], cwd = dir): Promise<CliRun> {
  return runCli(['sweep', ...args], { cwd, env: ENV });
}

async function tensorsOf(bundle: string): Promise<{ weights: Uint8Array; optimizer: Uint8Array }> {
  const entries = await splitTar(readFileSync(bundle));
  return { weights: entries.get('weights.bin')!, optimizer: entries.get('optimizer.bin')! };
}

describe('archbundle sweep on one machine', { concurrency: false }, () => {
  const output = path.join(dir, 'runs/sweep');

  it('trains MLP and LeNet with two workers at once into <output>/<run id>/ and indexes them in sweep.json', async () => {
    const run = await sweep(['sweep.json', '--workers', '2']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /workers: 2, 1 thread each/);
    const { sweep: header, runs } = sweepIndexIn(output);
    assert.deepEqual(header.axes, ['model.class', 'model.args']);
    assert.equal(header.file, '../../sweep.json');
    assert.deepEqual(runs.map((r) => [r.axes['model.class'], r.state]).sort(), [['LeNet', 'done'], ['MLP', 'done']]);
    const records = runs.map((r) => runRecordIn(output, r.id));
    for (const r of records) {
      assert.equal(r.sweep, header.id);
      assert.equal(r.attempts, 1);
      assert.equal(r.epochsDone, 3);
      assert.equal(r.lastBundle, 'epoch-0003.archbundle');
      assert.match(r.worker ?? '', /^.+:\d+$/);
      assert.ok(r.trainSeconds! > 0 && r.test!.accuracy >= 0 && r.best!.epoch >= 1);
      assert.equal(r.config.output, path.join(output, r.id));
      const files = readdirSync(path.join(output, r.id)).sort();
      assert.deepEqual(files, ['best.archbundle', 'epoch-0001.archbundle', 'epoch-0002.archbundle', 'epoch-0003.archbundle', 'metrics.jsonl', 'run.json']);
      const metrics = readFileSync(path.join(output, r.id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch: number });
      assert.deepEqual(metrics.map((m) => `${m.type}${m.epoch}`), ['epoch1', 'epoch2', 'epoch3', 'test3']);
      // sweep.json's summary is the run's record
      const { sweep: _sweep, ...summary } = r;
      assert.deepEqual(runs.find((s) => s.id === r.id), summary);
    }
    // two workers: the runs trained at the same time, in different processes
    const [a, b] = records as [RunRecord, RunRecord];
    assert.notEqual(a.worker, b.worker);
    assert.ok(Date.parse(a.startedAt!) < Date.parse(b.finishedAt!) && Date.parse(b.startedAt!) < Date.parse(a.finishedAt!), 'the runs overlapped');
  });

  it('run again, it skips the runs that are done and trains nothing', async () => {
    const bundle = path.join(output, runIdOf(output, 'LeNet'), 'epoch-0003.archbundle');
    const before = statSync(bundle).mtimeMs;
    const run = await sweep(['sweep.json', '--workers', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2 of 2 runs already done, skipped/);
    assert.doesNotMatch(run.stdout, /started/);
    assert.equal(statSync(bundle).mtimeMs, before);
    assert.equal(runRecordIn(output, runIdOf(output, 'LeNet')).attempts, 1);
    const dry = await sweep(['sweep.json', '--dry-run']);
    assert.equal(dry.code, 0);
    assert.match(dry.stdout, new RegExp(`${runIdOf(output, 'MLP')}\\s+done\\s+3\\s+3\\s+model\\.class="MLP"`));
  });

  it('a child SIGKILLed after its first checkpoint: its run is marked failed, the next sweep resumes it, and the weights equal the uninterrupted run\'s byte for byte', async () => {
    const killedOutput = path.join(dir, 'runs/killed');
    const lenet = runIdOf(output, 'LeNet');
    const child = spawn(process.execPath, [BIN, 'sweep', 'sweep.json', '--workers', '2', '--output', 'runs/killed'], {
      cwd: dir,
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const folder = path.join(killedOutput, lenet);
    let killed: number | undefined;
    for (let waited = 0; waited < 120_000 && killed === undefined; waited += 10) {
      if (existsSync(path.join(folder, 'epoch-0001.archbundle'))) {
        const pid = Number(runRecordIn(killedOutput, lenet).worker!.split(':').at(-1));
        process.kill(pid, 'SIGKILL');
        killed = pid;
      } else await sleep(10);
    }
    assert.ok(killed, 'the LeNet run wrote its first checkpoint');
    assert.equal(await exited, 1, stdout);
    assert.match(stdout, new RegExp(`run ${lenet} .*failed: its process was killed by SIGKILL`));
    const failed = runRecordIn(killedOutput, lenet);
    assert.equal(failed.state, 'failed');
    assert.ok(failed.epochsDone >= 1 && failed.epochsDone < 3, `killed mid-run (after epoch ${failed.epochsDone})`);
    assert.ok(!existsSync(path.join(folder, 'epoch-0003.archbundle')));
    assert.equal(sweepIndexIn(killedOutput).runs.find((r) => r.id === lenet)?.state, 'failed');

    const again = await sweep(['sweep.json', '--workers', '2', '--output', 'runs/killed']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, new RegExp(`run ${lenet} .*resumed after epoch ${failed.epochsDone} \\(attempt 2\\)`));
    const resumed = runRecordIn(killedOutput, lenet);
    assert.equal(resumed.state, 'done');
    assert.equal(resumed.attempts, 2);
    assert.equal(resumed.reason, undefined);
    const metrics = readFileSync(path.join(folder, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch: number });
    assert.deepEqual(metrics.map((m) => `${m.type}${m.epoch}`), ['epoch1', 'epoch2', 'epoch3', 'test3'], 'no epoch twice in metrics.jsonl');
    for (const id of [lenet, runIdOf(output, 'MLP')]) {
      const uninterrupted = await tensorsOf(path.join(output, id, 'epoch-0003.archbundle'));
      const afterKill = await tensorsOf(path.join(killedOutput, id, 'epoch-0003.archbundle'));
      assert.ok(uninterrupted.weights.length > 0);
      assert.ok(Buffer.from(afterKill.weights).equals(Buffer.from(uninterrupted.weights)), `${id}: weights.bin equal`);
      assert.ok(Buffer.from(afterKill.optimizer).equals(Buffer.from(uninterrupted.optimizer)), `${id}: optimizer.bin equal`);
    }
  });

  it('Ctrl-C stops the running children and leaves their runs queued; the next sweep finishes them', async () => {
    const stoppedOutput = path.join(dir, 'runs/stopped');
    // a process group of its own, so that SIGINT reaches the sweep and its children at once, as Ctrl-C in a terminal does
    const child = spawn(process.execPath, [BIN, 'sweep', 'sweep.json', '--workers', '2', '--output', 'runs/stopped'], {
      cwd: dir,
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    for (let waited = 0; waited < 120_000 && !/started/.test(stdout); waited += 10) await sleep(10);
    assert.match(stdout, /started/);
    // meanwhile a second sweep on the same folder is refused: it would train the same runs
    const second = await sweep(['sweep.json', '--output', 'runs/stopped']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^archbundle sweep: E_SWEEP: output folder .*stopped is being swept by .+:\d+ /);
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(await exited, 1, stdout + stderr);
    assert.match(stdout, /stopping/);
    assert.match(stderr, /stopped; 2 runs left to train: run the same command again to resume/);
    const states = sweepIndexIn(stoppedOutput).runs.map((r) => r.state);
    assert.deepEqual(states, ['queued', 'queued']);
    for (const id of readdirSync(stoppedOutput).filter((n) => n !== 'sweep.json')) {
      assert.deepEqual(readdirSync(path.join(stoppedOutput, id)).filter((n) => n.endsWith('.tmp')), [], 'no temp file left');
    }
    assert.ok(!existsSync(path.join(stoppedOutput, '.sweep.lock')), 'the lock is released');
    const again = await sweep(['sweep.json', '--output', 'runs/stopped']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(sweepIndexIn(stoppedOutput).runs.map((r) => r.state), ['done', 'done']);
  });

  it('a sweep killed outright takes its children with it; its stale lock is taken over and the runs resume', async () => {
    const orphanOutput = path.join(dir, 'runs/orphans');
    const child = spawn(process.execPath, [BIN, 'sweep', 'sweep.json', '--workers', '2', '--output', 'runs/orphans'], {
      cwd: dir,
      env: { ...process.env, ...ENV },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    for (let waited = 0; waited < 120_000 && (stdout.match(/started/g) ?? []).length < 2; waited += 10) await sleep(10);
    const workers = sweepIndexIn(orphanOutput).runs.map((r) => Number(runRecordIn(orphanOutput, r.id).worker?.split(':').at(-1)));
    assert.equal(workers.filter((pid) => pid > 0).length, 2, stdout);
    child.kill('SIGKILL');
    await exited;
    for (let waited = 0; waited < 30_000 && workers.some(processAlive); waited += 50) await sleep(50);
    assert.deepEqual(workers.filter(processAlive), [], 'no child trains on without its sweep');
    assert.ok(existsSync(path.join(orphanOutput, '.sweep.lock')), 'the killed sweep could not release its lock');
    const again = await sweep(['sweep.json', '--workers', '2', '--output', 'runs/orphans']);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.deepEqual(sweepIndexIn(orphanOutput).runs.map((r) => r.state), ['done', 'done']);
    assert.ok(!existsSync(path.join(orphanOutput, '.sweep.lock')));
  });

  it('a diverging run is marked failed (E_DIVERGED) while the others finish; exit 1', async () => {
    const small = tempDir('archbundle-sweep-');
    writeFileSync(path.join(small, 'sweep.json'), JSON.stringify(divergingSweep()));
    const run = await sweep(['sweep.json'], small);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /^archbundle sweep: run [0-9a-f]{12} failed: E_DIVERGED: training diverged: epoch 1's mean loss is (NaN|-?Infinity)/m);
    const runs = sweepIndexIn(path.join(small, 'out')).runs;
    const bad = runs.find((r) => r.axes['optimizer.args.learningRate'] === 1e30)!;
    const good = runs.find((r) => r.axes['optimizer.args.learningRate'] === 0.05)!;
    assert.equal(good.state, 'done');
    assert.equal(bad.state, 'failed');
    assert.equal(bad.code, 'E_DIVERGED');
    assert.match(bad.reason ?? '', /no bundle was written/);
    assert.equal(bad.best, undefined, 'a diverged epoch is never the best');
    assert.deepEqual(readdirSync(path.join(small, 'out', bad.id)).filter((n) => n.endsWith('.archbundle')), []);

    // the same folder for another sweep: refused before anything is written
    writeFileSync(path.join(small, 'other.json'), JSON.stringify({ ...divergingSweep(), grid: { seed: [3, 4] } }));
    const before = readdirSync(path.join(small, 'out')).sort();
    const other = await sweep(['other.json'], small);
    assert.equal(other.code, 1);
    assert.ok(
      other.stderr.startsWith(`archbundle sweep: E_SWEEP: output folder ${path.join(small, 'out')} belongs to another sweep (id ${sweepIndexIn(path.join(small, 'out')).sweep.id}, from ${path.join(small, 'sweep.json')})`),
      other.stderr,
    );
    assert.deepEqual(readdirSync(path.join(small, 'out')).sort(), before);
  });
});
