/**
 * `archbundle compare` through the real command line, on runs trained for the test (MLPs and a
 * LeNet on the synthetic set, cpu backend): the leaderboard's JSON (snapshot), its figures
 * against what inspect, eval and metrics.jsonl say, the text table, sorting, a hostile bundle
 * among good ones, and a sweep folder in the shared layout (docs/sweeps.md) with a failed run.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, ROOT } from './helpers/cli.js';
import { matchSnapshot, normalize } from './helpers/snapshot.js';
import { tempDir } from './helpers/tempdir.js';
import { buildLeaderboard, defaultSortKey, differingArguments, flattenPaths, parseSortKey, sortableColumns, type LeaderboardEntry, type SortKey } from '../src/core/compare/leaderboard.js';

const SYNTHETIC = { train: 160, test: 40, classes: 4, resolution: [1, 12, 12], noise: 1.5 };
const BASE = {
  data: { dataset: 'synthetic', batchSize: 20, validationSplit: 0.25, synthetic: SYNTHETIC },
  optimizer: { class: 'Adam', args: { learningRate: 0.01 } },
  seed: 3,
  checkpoint: { everyEpochs: 1, keepLast: 0, keepBest: { metric: 'val_accuracy', mode: 'max' } },
};
const RUNS: Record<string, { model: { class: string; args: Record<string, unknown> }; epochs: number }> = {
  'mlp-narrow': { model: { class: 'MLP', args: { classes: 4, resolution: [1, 12, 12], hidden: [6] } }, epochs: 2 },
  'mlp-wide': { model: { class: 'MLP', args: { classes: 4, resolution: [1, 12, 12], hidden: [24] } }, epochs: 3 },
  lenet: { model: { class: 'LeNet', args: { classes: 4, resolution: [1, 12, 12], filters: [2, 4], units: [8, 6] } }, epochs: 2 },
};

interface Row {
  rank: number;
  name: string;
  bundle: string | null;
  class: string;
  arguments: Record<string, unknown>;
  parameters: number;
  epoch: number;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  testAccuracy: number | null;
  testFrom: string | null;
  finalTest: { accuracy: number; epoch: number } | null;
  trainSeconds: number | null;
  timeFrom: string | null;
  run?: { id: string; state: string; reason?: string; code?: string; axes: Record<string, unknown> };
}
interface Board {
  axes: string[];
  arguments: string[];
  sort: { column: string; direction: string };
  rows: Row[];
  problems: { name: string; code: string; message: string }[];
}

const dir = tempDir('archbundle-compare-');
const cli = (args: string[]) => runCli(args, { cwd: dir });
/** Timings change from run to run; everything else in the leaderboard must not. */
const stable = (text: string) => normalize(text, { [dir]: '<DIR>' }).replace(/"trainSeconds": [0-9.e+-]+/g, '"trainSeconds": <TIME>');

describe('archbundle compare', () => {
  before(async () => {
    for (const [name, run] of Object.entries(RUNS)) {
      const config = path.join(dir, `${name}.config.json`);
      writeFileSync(config, JSON.stringify({ ...BASE, ...run, output: `runs/${name}` }));
      const trained = await runCli(['train', '--config', config], { cwd: ROOT });
      assert.equal(trained.code, 0, trained.stderr);
    }
  });

  it('ranks every run of a folder: figures as inspect and metrics.jsonl give them (snapshot)', async () => {
    const result = await cli(['compare', 'runs', '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    matchSnapshot('compare-json', stable(result.stdout));
    const board = JSON.parse(result.stdout) as Board;
    // LeNet's best bundle (epoch 1) predates the test at the end of training: ranked by validation
    assert.deepEqual(board.sort, { column: 'val', direction: 'desc' });
    assert.deepEqual(board.rows.map((r) => r.name).sort(), ['runs/lenet/best.archbundle', 'runs/mlp-narrow/best.archbundle', 'runs/mlp-wide/best.archbundle']);
    // only the arguments that differ: hidden (MLP and LeNet), LeNet's own; not classes or resolution
    assert.ok(board.arguments.includes('hidden'), board.arguments.join());
    assert.ok(board.arguments.includes('filters'), board.arguments.join());
    assert.ok(!board.arguments.includes('classes') && !board.arguments.includes('resolution'));
    const vals = board.rows.map((r) => r.bestValAccuracy!);
    assert.deepEqual(vals, [...vals].sort((a, b) => b - a), 'best validation accuracy first');
    for (const row of board.rows) {
      const inspect = JSON.parse((await cli(['inspect', row.name, '--json'])).stdout);
      assert.equal(row.class, inspect.class);
      assert.equal(row.parameters, inspect.parameters);
      assert.equal(row.epoch, inspect.epoch);
      const history = inspect.metrics as { epoch: number; val_accuracy: number; seconds: number }[];
      assert.equal(row.bestValAccuracy, Math.max(...history.map((m) => m.val_accuracy)));
      assert.equal(row.trainSeconds, history.reduce((s, m) => s + m.seconds, 0));
      assert.equal(row.timeFrom, 'bundle');
      const metrics = readFileSync(path.join(dir, path.dirname(row.name), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const test = metrics.find((m) => m.type === 'test' && m.epoch === row.epoch);
      assert.equal(row.testAccuracy, test ? test.accuracy : null);
      assert.equal(row.testFrom, test ? 'metrics.jsonl' : null);
      const last = metrics.filter((m) => m.type === 'test').at(-1);
      assert.deepEqual(row.finalTest, { accuracy: last.accuracy, epoch: last.epoch });
      if (row.class === 'MLP') assert.deepEqual(row.arguments.hidden, RUNS[path.basename(path.dirname(row.name))]!.model.args.hidden);
    }
  });

  it('the text table: --sort by a column and direction, epoch bundles named directly, a note on each source', async () => {
    const result = await cli(['compare', 'runs/mlp-wide/epoch-0001.archbundle', 'runs/mlp-wide/epoch-0003.archbundle', 'runs/mlp-narrow', '--sort', 'epochs:desc']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    // FINAL TEST: epoch 1's bundle is compared, the run's test was taken after epoch 3
    assert.match(lines[0]!, /^# +NAME +CLASS +hidden +PARAMS +EPOCHS +BEST VAL +TEST +FINAL TEST +TIME$/);
    assert.match(lines[1]!, /^1 +runs\/mlp-wide\/epoch-0003\.archbundle +MLP +\[24\] +3,580 +3 +\d+\.\d\d% \(\d\) +(\d+\.\d\d%) +\1 \(3\) +0:\d\d$/);
    assert.match(lines[2]!, /^2 +runs\/mlp-narrow\/best\.archbundle +MLP +\[6\] +898 +[12] .* \d+\.\d\d% \(2\) +0:\d\d$/);
    assert.match(lines[3]!, /^3 +runs\/mlp-wide\/epoch-0001\.archbundle +MLP +\[24\] +3,580 +1 +\d+\.\d\d% \(1\) +- +\d+\.\d\d% \(3\) +0:\d\d$/);
    assert.match(result.stdout, /^FINAL TEST: the run's test accuracy recorded in metrics\.jsonl at the end of its training/m);
    assert.match(result.stdout, /^sorted by epochs \(descending\)/m);
    assert.match(result.stdout, /^TEST: as recorded in metrics\.jsonl after the bundle's epoch/m);
    assert.match(result.stdout, /^TIME: training seconds summed over the epochs in the bundle's history$/m);

    const ascending = await cli(['compare', 'runs', '--sort', 'params', '--json']);
    const params = (JSON.parse(ascending.stdout) as Board).rows.map((r) => r.parameters);
    assert.deepEqual(params, [...params].sort((a, b) => a - b));
    const unknown = await cli(['compare', 'runs', '--sort', 'speed']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^archbundle compare: --sort: unknown column "speed"; expected one of name, class, params, epochs, val, test, final, time, state, dropout, filters, hidden, pooling, units \(optionally/);
  });

  it('a hostile bundle is one line with its code, the others are still shown, exit 1', async () => {
    const hostile = path.join(dir, 'flipped.archbundle');
    copyFileSync(path.join(ROOT, 'test/fixtures/bad-bundles/checksum-flipped-byte.bundle'), hostile);
    const result = await cli(['compare', 'runs/lenet', 'flipped.archbundle', 'runs/mlp-wide']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^archbundle compare: flipped\.archbundle: E_CHECKSUM: /);
    assert.match(result.stdout, /runs\/lenet\/best\.archbundle +LeNet/);
    assert.match(result.stdout, /runs\/mlp-wide\/best\.archbundle +MLP/);
    const json = JSON.parse((await cli(['compare', 'runs/lenet', 'flipped.archbundle', '--json'])).stdout) as Board;
    assert.deepEqual(json.problems.map((p) => [p.name, p.code]), [['flipped.archbundle', 'E_CHECKSUM']]);
    assert.equal(json.rows.length, 1);
  });

  it('--data evaluates every bundle as `archbundle eval` does', async () => {
    const result = await cli(['compare', 'runs', '--data', 'synthetic', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const board = JSON.parse(result.stdout) as Board;
    for (const row of board.rows) {
      const evaluation = JSON.parse((await cli(['eval', row.name, '--data', 'synthetic', '--json'])).stdout);
      assert.equal(row.testAccuracy, evaluation.accuracy, row.name);
      assert.equal(row.testFrom, 'evaluated');
    }
    const oneThread = JSON.parse((await cli(['compare', 'runs', '--data', 'synthetic', '--threads', '1', '--json'])).stdout) as Board & { threads: number };
    assert.equal(oneThread.threads, 1);
    assert.deepEqual(oneThread.rows.map((r) => r.testAccuracy), board.rows.map((r) => r.testAccuracy));
  });

  it('a sweep folder: its axes as columns, each run with its state, a failed run with its reason', async () => {
    const sweep = path.join(dir, 'sweep');
    const ids = { narrow: 'aaaaaaaaaaa1', wide: 'bbbbbbbbbbb2', diverged: 'ccccccccccc3', waiting: 'ddddddddddd4' };
    const runs = [
      { id: ids.narrow, axes: { 'model.args.hidden': [6], epochs: 2 }, state: 'done', attempts: 1, epochsDone: 2, trainSeconds: 1 },
      { id: ids.wide, axes: { 'model.args.hidden': [24], epochs: 3 }, state: 'done', attempts: 2, epochsDone: 3 },
      { id: ids.diverged, axes: { 'model.args.hidden': [48], epochs: 3 }, state: 'failed', reason: 'epoch 1: the training loss is NaN', code: 'E_DIVERGED', attempts: 1, epochsDone: 0 },
      { id: ids.waiting, axes: { 'model.args.hidden': [96], epochs: 3 }, state: 'queued', attempts: 0, epochsDone: 0 },
    ];
    mkdirSync(sweep);
    cpSync(path.join(dir, 'runs/mlp-narrow'), path.join(sweep, ids.narrow), { recursive: true });
    cpSync(path.join(dir, 'runs/mlp-wide'), path.join(sweep, ids.wide), { recursive: true });
    mkdirSync(path.join(sweep, ids.diverged));
    // run.json is the fresher record: the index still lists the wide run as running
    writeFileSync(path.join(sweep, ids.wide, 'run.json'), JSON.stringify({ ...runs[1], sweep: '0123456789ab' }));
    writeFileSync(path.join(sweep, ids.diverged, 'run.json'), JSON.stringify({ ...runs[2], sweep: '0123456789ab' }));
    const index = { sweep: { id: '0123456789ab', file: '../sweep.json', axes: ['model.args.hidden', 'epochs'], createdAt: '2026-01-01T00:00:00.000Z' }, runs: runs.map((r, i) => (i === 1 ? { ...r, state: 'running' } : r)) };
    writeFileSync(path.join(sweep, 'sweep.json'), JSON.stringify(index));

    const result = await cli(['compare', 'sweep', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const board = JSON.parse(result.stdout) as Board;
    assert.deepEqual(board.axes, ['model.args.hidden', 'epochs']);
    assert.deepEqual(board.arguments, [], 'hidden is shown as its axis, not twice');
    const byId = new Map(board.rows.map((r) => [r.run!.id, r]));
    assert.equal(byId.get(ids.narrow)!.name, `sweep/${ids.narrow}/best.archbundle`);
    assert.equal(byId.get(ids.wide)!.run!.state, 'done');
    assert.deepEqual(byId.get(ids.diverged)!.run, { id: ids.diverged, state: 'failed', axes: runs[2]!.axes, reason: runs[2]!.reason, code: 'E_DIVERGED' });
    assert.equal(byId.get(ids.diverged)!.bundle, null);
    assert.equal(byId.get(ids.waiting)!.run!.state, 'queued');
    assert.deepEqual(board.rows.slice(2).map((r) => r.testAccuracy), [null, null], 'runs without a bundle rank last');

    const text = await cli(['compare', 'sweep', '--sort', 'model.args.hidden:desc']);
    const lines = text.stdout.split('\n');
    assert.match(lines[0]!, /^# +NAME +CLASS +model\.args\.hidden +epochs +PARAMS +EPOCHS +BEST VAL +TEST +(FINAL TEST +)?TIME +STATE$/);
    assert.match(lines[1]!, new RegExp(`^1 +sweep/${ids.waiting} +- +\\[96\\] +3( +-){5,6} +queued$`));
    assert.match(lines[2]!, new RegExp(`^2 +sweep/${ids.diverged} +- +\\[48\\] +3 .* failed$`));
    assert.match(text.stdout, new RegExp(`^run ${ids.diverged} failed: E_DIVERGED: epoch 1: the training loss is NaN$`, 'm'));
  });
});

describe('the leaderboard from plain summaries (src/core/compare)', () => {
  const entry = (name: string, args: Record<string, unknown> | null, figures: Partial<Row> = {}) =>
    ({ name, bundle: args ? name : null, class: args ? 'X' : null, args, parameters: null, epoch: null, bestValAccuracy: null, bestEpoch: null, testAccuracy: null, testFrom: null, finalTest: null, trainSeconds: null, timeFrom: null, ...figures }) as LeaderboardEntry;

  it('differing arguments: nested objects as dot paths, arrays whole, absent counts as different', () => {
    const rows = [
      entry('a', { classes: 10, hidden: [8], whitening: { mean: [0.5], std: [0.25] } }),
      entry('b', { classes: 10, hidden: [8], whitening: { mean: [0.5], std: [0.5] } }),
      entry('c', { classes: 10, hidden: [8], whitening: { mean: [0.5], std: [0.5] }, dropout: 0.1 }),
      entry('run without a bundle', null),
    ];
    assert.deepEqual(flattenPaths(rows[0]!.args!), { classes: 10, hidden: [8], 'whitening.mean': [0.5], 'whitening.std': [0.25] });
    assert.deepEqual(differingArguments(rows), ['dropout', 'whitening.std']);
  });

  it('sorts by the column asked for, missing values last in either direction, ties in the given order', () => {
    const rows = [entry('a', {}, { testAccuracy: 0.5 }), entry('b', {}), entry('c', {}, { testAccuracy: 0.9 }), entry('d', {}, { testAccuracy: 0.5 })];
    const names = (sort: SortKey) => buildLeaderboard(rows, { sort }).rows.map((r) => `${r.rank}${r.name}`).join(' ');
    assert.equal(names({ column: 'test', direction: 'desc' }), '1c 2a 3d 4b');
    assert.equal(names({ column: 'test', direction: 'asc' }), '1a 2d 3c 4b');
    assert.deepEqual(parseSortKey('test', sortableColumns(rows, [])), { column: 'test', direction: 'desc' });
    assert.deepEqual(parseSortKey('time', sortableColumns(rows, [])), { column: 'time', direction: 'asc' });
    assert.deepEqual(parseSortKey('val:asc', sortableColumns(rows, [])), { column: 'val', direction: 'asc' });
    assert.match(parseSortKey('test:up', sortableColumns(rows, [])) as string, /unknown column "test:up"/);
    // only when every bundle has a test accuracy is it the default order
    assert.deepEqual(defaultSortKey(rows), { column: 'val', direction: 'desc' });
    assert.deepEqual(defaultSortKey(rows.filter((r) => r.testAccuracy !== null)), { column: 'test', direction: 'desc' });
  });
});
