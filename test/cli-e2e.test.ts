/**
 * End to end through the real command line, in a temp folder: train → bundle → inspect →
 * eval → validate (plain and --deep) → resume, and the resumed run equals the uninterrupted one.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli, ROOT } from './helpers/cli.js';
import { matchSnapshot, normalize } from './helpers/snapshot.js';
import { tempDir } from './helpers/tempdir.js';
import { readBundle } from '../src/index.js';

const CONFIG = {
  model: { class: 'MLP', args: { classes: 4, resolution: [1, 8, 8], hidden: [12], dropout: 0.2 } },
  data: {
    dataset: 'synthetic',
    batchSize: 25,
    validationSplit: 0.2,
    augmentation: { flip: true, cropPadding: 1 },
    synthetic: { train: 300, test: 60, classes: 4, resolution: [1, 8, 8], noise: 0.4 },
  },
  optimizer: { class: 'SGD', args: { learningRate: 0.1, momentum: 0.9 } },
  scheduler: { class: 'StepLR', args: { stepSize: 1, gamma: 0.7 } },
  epochs: 3,
  seed: 11,
  output: 'runs/full',
  checkpoint: { everyEpochs: 1, keepLast: 2, keepBest: { metric: 'val_loss', mode: 'min' } },
};

async function tensorBytes(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await readBundle(new Uint8Array(readFileSync(file)), {
    receiver: {
      tensor(group, record) {
        const target = Buffer.alloc(record.byteLength);
        return { target, end: () => void out.set(`${group}:${record.name}`, target.toString('base64')) };
      },
    },
  });
  return out;
}

describe('archbundle CLI end to end', () => {
  const dir = tempDir();
  before(() => writeFileSync(path.join(dir, 'archbundle.config.json'), JSON.stringify(CONFIG)));

  it('trains, checkpoints per the policy, evaluates, validates and resumes exactly', async () => {
    const full = await runCli(['train'], { cwd: dir });
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stdout, /backend: cpu \(1 thread; requested cpu by ARCHBUNDLE_BACKEND\)/);
    assert.match(full.stdout, /data: synthetic from generated: 240 train, 60 validation, 60 test/);
    assert.match(full.stdout, /removed .*epoch-0001\.archbundle \(keepLast\)/);
    assert.match(full.stdout, /test: loss [0-9.]+ accuracy [0-9.]+% on 60 examples after epoch 3/);
    const out = path.join(dir, 'runs/full');
    const metrics = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(metrics.map((m) => `${m.type}${m.epoch}`), ['epoch1', 'epoch2', 'epoch3', 'test3']);
    assert.deepEqual(metrics.slice(0, 3).map((m) => m.learningRate.toFixed(4)), ['0.1000', '0.0700', '0.0490']);
    const last = path.join(out, 'epoch-0003.archbundle');

    const inspect = await runCli(['inspect', last, '--json'], { cwd: dir });
    assert.equal(inspect.code, 0, inspect.stderr);
    matchSnapshot('e2e-inspect-json', normalize(inspect.stdout, { [dir]: '<DIR>' }));
    const summary = JSON.parse(inspect.stdout);
    assert.equal(summary.class, 'MLP');
    assert.equal(summary.epoch, 3);
    assert.equal(summary.globalStep, 30);
    assert.equal(summary.parameters, 64 * 12 + 12 + 12 * 4 + 4);
    assert.equal(summary.optimizer.class, 'SGD');
    assert.equal(summary.scheduler.class, 'StepLR');
    assert.equal(summary.metrics.length, 3);
    assert.deepEqual(summary.input, { dataset: 'synthetic', labels: null, pixels: { scale: 1 / 255, offset: 0 }, layout: 'NHWC', shape: [8, 8, 1] });
    const inspectText = await runCli(['inspect', last], { cwd: dir });
    assert.match(inspectText.stdout, /^input: {6}dataset synthetic, no labels; pixels 8-bit value × 0\.00392156862745098 \+ 0; NHWC \[8, 8, 1\]$/m);

    const evaluation = await runCli(['eval', last, '--data', 'synthetic', '--json'], { cwd: dir });
    assert.equal(evaluation.code, 0, evaluation.stderr);
    matchSnapshot('e2e-eval-json', normalize(evaluation.stdout, { [dir]: '<DIR>' }));
    const result = JSON.parse(evaluation.stdout);
    assert.equal(result.class, 'MLP');
    assert.equal(result.confusion.flat().reduce((a: number, b: number) => a + b, 0), result.count);
    assert.ok(result.accuracy > 0.5, `accuracy ${result.accuracy}`);
    assert.equal(result.datasetFrom, '--data');
    // without --data, the dataset comes from the bundle's input contract, not from a guess
    const fromContract = await runCli(['eval', last, '--json'], { cwd: dir });
    assert.equal(fromContract.code, 0, fromContract.stderr);
    assert.deepEqual({ ...JSON.parse(fromContract.stdout), datasetFrom: '--data' }, result);

    const bundles = ['epoch-0002.archbundle', 'epoch-0003.archbundle', 'best.archbundle'].map((f) => path.join(out, f));
    for (const deep of [[], ['--deep']]) {
      const validate = await runCli(['validate', ...bundles, '--json', ...deep], { cwd: dir });
      assert.equal(validate.code, 0, validate.stderr);
      assert.deepEqual(JSON.parse(validate.stdout).map((r: { valid: boolean }) => r.valid), [true, true, true]);
    }

    // Interrupted run: two epochs, then resume to three in the same output folder.
    const first = await runCli(['train', '--set', 'epochs=2', '--set', 'output=runs/split'], { cwd: dir });
    assert.equal(first.code, 0, first.stderr);
    const split = path.join(dir, 'runs/split');
    const resumed = await runCli(['train', '--set', 'output=runs/split', '--resume', path.join(split, 'epoch-0002.archbundle')], { cwd: dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /resumed from .*epoch-0002\.archbundle after epoch 2/);
    assert.doesNotMatch(resumed.stdout, /note:/, 'same config: nothing differs');
    const other = await runCli(['train', '--set', 'output=runs/other', '--set', 'optimizer.args.momentum=0.5', '--set', 'epochs=2', '--resume', path.join(split, 'epoch-0002.archbundle')], { cwd: dir });
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stdout, /note: the bundle's optimizer \(SGD\) differs from the config's \(SGD\); continuing with the bundle's/);
    const a = await tensorBytes(last);
    const b = await tensorBytes(path.join(split, 'epoch-0003.archbundle'));
    assert.equal(a.size, 8, '4 weights and 4 momentum slots');
    assert.deepEqual(b, a, 'weights and optimizer state after resume equal the uninterrupted run, bit for bit');
  });

  it('validate without --deep, inspect and schema never load TensorFlow.js', async () => {
    const bundle = path.join(dir, 'runs/full/epoch-0003.archbundle');
    const guard = path.join(ROOT, 'test/helpers/forbid-tfjs.mjs');
    const run = await runCli(['validate', bundle, '--json'], { cwd: dir, nodeArgs: ['--import', guard] });
    assert.equal(run.code, 0, run.stderr);
    const [result] = JSON.parse(run.stdout);
    assert.equal(result.valid, true);
    assert.ok(result.ms < 1000, `validated in ${result.ms} ms`);
    const inspect = await runCli(['inspect', bundle], { cwd: dir, nodeArgs: ['--import', guard] });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /^class: {6}MLP/m);
    const schema = await runCli(['schema', 'list'], { cwd: dir, nodeArgs: ['--import', guard] });
    assert.equal(schema.code, 0, schema.stderr);
    // The guard itself works: a command that needs TF.js fails under it.
    const deep = await runCli(['validate', bundle, '--deep'], { cwd: dir, nodeArgs: ['--import', guard] });
    assert.notEqual(deep.code, 0);
    assert.match(deep.stderr, /TF\.js was loaded/);
  });
});
