/**
 * `checkpoint.keepLast` after a resume: the epoch bundles the interrupted session left in the
 * output folder count with the new ones, so only the newest `keepLast` remain; the bundle resumed
 * from goes only once newer ones are written, and a bundle of a later epoch (another trajectory,
 * when resuming from an older bundle) is overwritten, never pruned by mistake.
 */
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';

const ENV = { ARCHBUNDLE_BACKEND: process.env.ARCHBUNDLE_TEST_BACKEND ?? 'wasm' };
const CONFIG = {
  model: { class: 'MLP', args: { classes: 3, resolution: [1, 6, 6], hidden: [8] } },
  data: { dataset: 'synthetic', batchSize: 16, synthetic: { train: 48, test: 12, classes: 3, resolution: [1, 6, 6] } },
  optimizer: { class: 'SGD', args: { learningRate: 0.05 } },
  epochs: 4,
  seed: 3,
  output: 'runs/x',
  checkpoint: { everyEpochs: 1, keepLast: 2, keepBest: null },
};

const dir = tempDir('archbundle-resume-prune-');
writeFileSync(path.join(dir, 'archbundle.config.json'), JSON.stringify(CONFIG, null, 2));

function bundles(output: string): string[] {
  return readdirSync(path.join(dir, output)).filter((name) => name.endsWith('.archbundle')).sort();
}

async function train(...args: string[]) {
  const run = await runCli(['train', '--config', 'archbundle.config.json', ...args], { cwd: dir, env: ENV });
  assert.equal(run.code, 0, run.stderr + run.stdout);
  return run;
}

describe('keepLast after a resume', { concurrency: false }, () => {
  it('keepLast 2: 2 epochs, then resumed to 4, leaves epochs 3 and 4 alone', async () => {
    await train('--set', 'epochs=2', '--set', 'output=runs/two');
    assert.deepEqual(bundles('runs/two'), ['epoch-0001.archbundle', 'epoch-0002.archbundle']);
    const resumed = await train('--set', 'output=runs/two', '--resume', path.join(dir, 'runs/two/epoch-0002.archbundle'));
    assert.deepEqual(bundles('runs/two'), ['epoch-0003.archbundle', 'epoch-0004.archbundle']);
    // epoch 1 goes once epoch 3 is written; the bundle resumed from (2) once epoch 4 is
    const removed = [...resumed.stdout.matchAll(/removed .*(epoch-\d{4})\.archbundle \(keepLast\)/g)].map((m) => m[1]);
    assert.deepEqual(removed, ['epoch-0001', 'epoch-0002']);
    assert.ok(resumed.stdout.indexOf('epoch-0003') < resumed.stdout.indexOf('removed'), 'epoch 3 written before anything is removed');
  });

  it('keepLast 1, every 3rd epoch: the bundle resumed from counts, and goes once a newer one is written', async () => {
    // every 3rd epoch and the last: a 2-epoch run writes only epoch 2; resumed to 4 it writes 3 and 4
    await train('--set', 'epochs=2', '--set', 'output=runs/one', '--set', 'checkpoint.keepLast=1', '--set', 'checkpoint.everyEpochs=3');
    assert.deepEqual(bundles('runs/one'), ['epoch-0002.archbundle']);
    await train('--set', 'output=runs/one', '--set', 'checkpoint.keepLast=1', '--set', 'checkpoint.everyEpochs=3', '--resume', path.join(dir, 'runs/one/epoch-0002.archbundle'));
    assert.deepEqual(bundles('runs/one'), ['epoch-0004.archbundle']);
  });

  it('resumed from an older bundle: later epochs of the old trajectory are not counted, then overwritten', async () => {
    await train('--set', 'output=runs/old', '--set', 'checkpoint.keepLast=0');
    const resumed = await train('--set', 'output=runs/old', '--set', 'epochs=3', '--resume', path.join(dir, 'runs/old/epoch-0001.archbundle'));
    // counted: 1 (resumed from), then 2 and 3 written again; 4 (old trajectory) untouched
    assert.deepEqual(bundles('runs/old'), ['epoch-0002.archbundle', 'epoch-0003.archbundle', 'epoch-0004.archbundle']);
    assert.deepEqual([...resumed.stdout.matchAll(/removed .*(epoch-\d{4})\.archbundle/g)].map((m) => m[1]), ['epoch-0001']);
  });

  it('a fresh run (no resume) still prunes only what it wrote itself', async () => {
    await train('--set', 'output=runs/fresh', '--set', 'checkpoint.keepLast=0', '--set', 'epochs=3');
    await train('--set', 'output=runs/fresh', '--set', 'epochs=1');
    assert.deepEqual(bundles('runs/fresh'), ['epoch-0001.archbundle', 'epoch-0002.archbundle', 'epoch-0003.archbundle']);
  });
});
