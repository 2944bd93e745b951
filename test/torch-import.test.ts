/**
 * `archbundle import` against checkpoints written by the reference implementation itself
 * (test/fixtures/reference-checkpoints/, made by scripts/reference_checkpoints.py): the bundle
 * predicts the reference implementation's model's logits (eval mode, non-trivial batch-norm statistics) for every
 * case, from the legacy and the zip serialisation and from a plain state_dict, and what the
 * mapping drops is reported. Mapping errors are checked on real files' values, altered.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { ArchbundleError } from '../src/index.js';
import { State } from '../src/node/state.js';
import { importTorchBytes } from '../src/node/import/import-file.js';
import { modelFromTorch } from '../src/tfjs/import/from-torch.js';
import { readTorchFile } from '../src/core/torch/read-torch-file.js';
import { PyDict, type PyValue, type TorchTensor } from '../src/core/torch/values.js';
import type { Classifier } from '../src/tfjs/classifier.js';

before(useTestBackend);

interface Case {
  class: string;
  model_class: string;
  arguments: Record<string, unknown>;
  optimizer: string | null;
  input: { shape: number[]; values: number[] };
  logits: { shape: number[]; values: number[] };
  files: { legacy: string; zip?: string; stateDict?: { zip: string; legacy: string } };
}

const dir = new URL('./fixtures/reference-checkpoints/', import.meta.url);
const cases = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const read = (file: string) => new Uint8Array(readFileSync(new URL(file, dir)));
const fixtureFile = (file: string) => path.join(new URL(dir).pathname, file);

/** A float32 C-order .npy file (format version 1). */
function npyFloat32(shape: number[], values: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = 1;
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(new Float32Array(values).buffer)]);
}
const fixture = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Case;

/** Our logits on the case's input; for the reference implementation's single logit z, ours are [a, b] with b - a = z. */
function logitsOf(model: Classifier, input: Case['input'], single: boolean): number[] {
  return tf.tidy(() => {
    const x = tf.transpose(tf.tensor(input.values, input.shape), [0, 2, 3, 1]);
    const y = model.predict(x);
    const out = single ? tf.sub(y.slice([0, 1], [-1, 1]), y.slice([0, 0], [-1, 1])) : y;
    return [...(out.dataSync() as Float32Array)];
  });
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= 1e-4 * scale + 1e-6, `${what}[${i}]: ${a} vs the reference implementation's ${expected[i]}`));
}

function disposeState(state: State): void {
  state.model.dispose();
  state.optimizer?.dispose();
}

describe("importing the reference implementation's checkpoints", () => {
  it('has fixtures for every reference class with bn, gn and none', () => {
    const all = cases.map(fixture);
    for (const cls of ['SimpleNet', 'ResNet', 'WideResNet']) {
      for (const norm of ['bn', 'gn', '']) {
        assert.ok(all.some((c) => c.model_class === cls && c.arguments.normalization === norm), `${cls} with normalization '${norm}'`);
      }
    }
    assert.ok(all.some((c) => c.model_class === 'ResNet' && c.arguments.block === 'bottleneck'));
    assert.ok(all.some((c) => c.arguments.include_whiten === true) && all.some((c) => c.arguments.include_clamp === false));
  });

  for (const file of cases) {
    const c = fixture(file);
    const single = c.logits.shape[1] === 1;
    it(`${file.replace(/\.json$/, '')}: same logits as the reference implementation's model`, async () => {
      const imported = importTorchBytes(read(c.files.legacy));
      try {
        assert.equal(imported.state.model.className, c.class);
        assert.match(imported.source, /reference implementation's checkpoint \(legacy serialisation\)/);
        const logits = logitsOf(imported.state.model, c.input, single);
        assertClose(logits, c.logits.values, 'logits');
        const dropped = imported.report.droppedAttributes.map((a) => a.name);
        assert.ok(dropped.includes('training') && dropped.includes('dump_patches'), `dropped ${dropped}`);
        if (c.arguments.normalization === 'bn') assert.ok(imported.report.droppedTensors.some((t) => t.key.endsWith('num_batches_tracked')));
        assert.equal(imported.report.optimizer?.class ?? null, c.optimizer);

        // The bundle round trip keeps every bit.
        const loaded = await State.load(await imported.state.toBytes());
        try {
          assert.deepEqual(logitsOf(loaded.model, c.input, single), logits);
          assert.equal(loaded.optimizer?.className ?? null, c.optimizer);
        } finally {
          disposeState(loaded);
        }

        for (const other of [c.files.zip, c.files.stateDict?.zip, c.files.stateDict?.legacy]) {
          if (!other) continue;
          const plain = other.includes('state_dict');
          const again = importTorchBytes(read(other), plain ? { className: c.class, args: imported.report.args } : {});
          try {
            assert.deepEqual(logitsOf(again.state.model, c.input, single), logits, `${other} gives the same model`);
          } finally {
            disposeState(again.state);
          }
        }
      } finally {
        disposeState(imported.state);
      }
    });
  }

  it('the command writes a bundle that validates deeply, and reports what it dropped', async () => {
    const work = tempDir();
    const src = path.join(new URL(dir).pathname, 'resnet-basic-gn-noclamp.pth');
    const out = await runCli(['import', src, 'model.bundle'], { cwd: work });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /class: +ResNet/);
    assert.match(out.stdout, /dropped attributes: .*training/);
    assert.match(out.stdout, /optimizer: +Adam, step 2/);
    const valid = await runCli(['validate', '--deep', 'model.bundle'], { cwd: work });
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    const json = await runCli(['import', src, 'again.bundle', '--json'], { cwd: work });
    const report = JSON.parse(json.stdout);
    assert.equal(report.class, 'ResNet');
    assert.equal(report.referenceClass, 'ResNet');
    assert.equal(report.args.normalization, 'gn');
    assert.deepEqual(readFileSync(path.join(work, 'again.bundle')), readFileSync(path.join(work, 'model.bundle')), 'deterministic');
  });

  it('imported with --labels, the bundle predicts what the reference predicts, with label names', async () => {
    const work = tempDir();
    const c = fixture('wideresnet-bn-whiten-dropout.json');
    const labels = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    writeFileSync(path.join(work, 'labels.txt'), labels.join('\n') + '\n');
    const out = await runCli(['import', fixtureFile(c.files.legacy), 'wrn.bundle', '--labels', 'labels.txt'], { cwd: work });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /labels: +class 0, class 1/);
    writeFileSync(path.join(work, 'input.npy'), npyFloat32(c.input.shape, c.input.values));
    const predicted = await runCli(['predict', 'wrn.bundle', 'input.npy', '--layout', 'nchw', '--json', '--top', '3'], { cwd: work });
    assert.equal(predicted.code, 0, predicted.stderr);
    const { predictions } = JSON.parse(predicted.stdout) as { predictions: { logits: number[]; top: { class: number; label: string }[] }[] };
    assertClose(predictions.flatMap((p) => p.logits), c.logits.values, 'predicted logits');
    const best = (row: number) => c.logits.values.slice(row * 10, row * 10 + 10).reduce((b, v, i, all) => (v > all[b]! ? i : b), 0);
    predictions.forEach((p, row) => assert.deepEqual(p.top[0], { ...p.top[0], class: best(row), label: `class ${best(row)}` }));

    writeFileSync(path.join(work, 'short.txt'), 'a\nb\n');
    const mismatch = await runCli(['import', fixtureFile(c.files.legacy), 'x.bundle', '--labels', 'short.txt'], { cwd: work });
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /E_INPUT_MISMATCH: .*labels/);
  });

  it('a missing SRC is E_IO; a truncated safetensors file is E_TRUNCATED, not "not a checkpoint"', async () => {
    const work = tempDir();
    const missing = await runCli(['import', 'nothing.pth', 'x.bundle'], { cwd: work });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /E_IO: .*nothing\.pth/);
    const header = Buffer.from('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(path.join(work, 'cut.safetensors'), Buffer.concat([length, header.subarray(0, 10)]));
    const cut = await runCli(['import', 'cut.safetensors', 'x.bundle'], { cwd: work });
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /E_TRUNCATED/);
  });

  it('a plain state_dict without --class is a usage-level error naming what to give', async () => {
    const work = tempDir();
    const out = await runCli(['import', path.join(new URL(dir).pathname, 'resnet-basic-bn.state_dict.pth'), 'x.bundle'], { cwd: work });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /E_UNKNOWN_CLASS: .*--class NAME and --args JSON/);
  });
});

describe('import refuses what the mapping cannot carry', () => {
  const base = () => readTorchFile(read('resnet-basic-bn.pth')).value as PyDict;
  const dictOf = (value: PyValue | undefined) => value as PyDict;
  const refused = (value: PyValue, code: string, pattern: RegExp, options = {}) => {
    assert.throws(() => modelFromTorch(value, options), (e: unknown) => {
      assert.ok(e instanceof ArchbundleError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, pattern);
      return true;
    });
  };

  it('an unknown reference class', () => {
    const value = base();
    value.entries.set('model_class', 'DenseNet');
    refused(value, 'E_UNKNOWN_CLASS', /class "DenseNet" has no archbundle mapping/);
  });

  it('an attribute neither mapped nor dropped', () => {
    const value = base();
    dictOf(value.get('arguments')).entries.set('temperature', 2);
    refused(value, 'E_INVALID_ARGS', /\/arguments\/temperature .*neither an argument nor a dropped attribute/);
  });

  it('kwargs that disagree with the attributes', () => {
    const value = base();
    dictOf(value.get('kwargs')).entries.set('clamp', false);
    refused(value, 'E_INVALID_ARGS', /\/kwargs\/clamp is False but the attribute include_clamp it sets is True|\/kwargs\/clamp/);
  });

  it('arguments our schema refuses, with their pointer', () => {
    const value = base();
    dictOf(value.get('arguments')).entries.set('normalization', 'fixedbn');
    refused(value, 'E_INVALID_ARGS', /\/normalization/);
  });

  it('a tensor no layer has, and a missing one', () => {
    const extra = base();
    const model = dictOf(extra.get('model'));
    model.entries.set('conv1.scale', model.get('conv1.weight')!);
    refused(extra, 'E_WEIGHTS_MISMATCH', /conv1\.scale.*no tensor "scale"/);
    const missing = base();
    dictOf(missing.get('model')).entries.delete('logits.bias');
    refused(missing, 'E_WEIGHTS_MISMATCH', /missing: logits\/bias/);
  });

  it('an attribute named like an Object.prototype property', () => {
    const value = base();
    dictOf(value.get('arguments')).entries.set('constructor', 1);
    refused(value, 'E_INVALID_ARGS', /\/arguments\/constructor .*neither an argument nor a dropped attribute/);
  });

  it('an integer tensor where a weight belongs', () => {
    const value = base();
    const model = dictOf(value.get('model'));
    model.entries.set('conv1.weight', model.get('bn1.num_batches_tracked')!);
    refused(value, 'E_WEIGHTS_MISMATCH', /\/conv1\.weight expected a floating-point tensor .*received int64/);
  });

  it('an optimizer slot whose shape is not its parameter\'s', () => {
    const value = base();
    const state = dictOf(dictOf(value.get('optimizer')).get('state'));
    const first = dictOf(state.get(0));
    const second = dictOf(state.get(1));
    first.entries.set('momentum_buffer', second.get('momentum_buffer')!);
    refused(value, 'E_STATE_MISMATCH', /\/state\/0\/momentum_buffer expected the shape of "conv1\.weight"/);
  });

  it("recent PyTorch's Adam and AdamW tell themselves apart by decoupled_weight_decay", () => {
    for (const [decoupled, expected] of [[false, 'Adam'], [true, 'AdamW']] as const) {
      const value = readTorchFile(read('resnet-basic-gn-noclamp.pth')).value as PyDict;
      const group = (dictOf(value.get('optimizer')).get('param_groups') as PyDict[])[0]!;
      group.entries.set('decoupled_weight_decay', decoupled);
      const { model, optimizer } = modelFromTorch(value);
      try {
        assert.equal(optimizer?.className, expected);
      } finally {
        model.dispose();
        optimizer?.dispose();
      }
    }
    const older = readTorchFile(read('resnet-basic-gn-noclamp.pth')).value as PyDict;
    const { model, optimizer } = modelFromTorch(older, { optimizerClass: 'AdamW' });
    assert.equal(optimizer?.className, 'AdamW', '--optimizer AdamW for a state_dict that cannot tell');
    model.dispose();
    optimizer?.dispose();
  });

  it('a plain state_dict of a WideResNet without normalization: a note says what the reference implementation implies', () => {
    const value = readTorchFile(read('wideresnet-none-nobias.pth')).value as PyDict;
    const args = { classes: 10, resolution: [3, 8, 8], depth: 10, width: 2, channels: 4, normalization: 'none', bias: false, clamp: true };
    const plain = modelFromTorch(value.get('model')!, { className: 'WideResNet', args });
    try {
      assert.ok(plain.report.notes.some((n) => /shortcut is "input", but the reference implementation's WideResNet with normalization "none" computes shortcut "activated".*give "shortcut": "activated"/.test(n)), plain.report.notes.join('; '));
    } finally {
      plain.model.dispose();
    }
    const given = modelFromTorch(value.get('model')!, { className: 'WideResNet', args: { ...args, shortcut: 'activated' } });
    assert.deepEqual(given.report.notes, []);
    given.model.dispose();
  });

  it('optimizer state of another rank than its weight: E_STATE_MISMATCH, not a RangeError (found by npm run fuzz)', () => {
    // The permutation of a conv kernel's layout (OIHW → HWIO) was applied to a momentum buffer of rank 1.
    const value = base();
    const perParameter = dictOf(dictOf(value.get('optimizer')).get('state'));
    const slots = dictOf(perParameter.get(0));
    const buffer = slots.get('momentum_buffer') as TorchTensor;
    assert.deepEqual(buffer.shape, [4, 3, 3, 3], 'parameter 0 is conv1.weight');
    slots.entries.set('momentum_buffer', { ...buffer, shape: [108], stride: [1] });
    const before = tf.memory().numTensors;
    refused(value, 'E_STATE_MISMATCH', /\/state\/0\/momentum_buffer expected the shape of "conv1\.weight" \[4, 3, 3, 3\], received \[108\]/);
    assert.equal(tf.memory().numTensors, before, 'the model built for the import is freed');
  });

  it('optimizer settings archbundle does not implement, and several parameter groups', () => {
    const maximize = base();
    const group = (dictOf(maximize.get('optimizer')).get('param_groups') as PyDict[])[0]!;
    group.entries.set('maximize', true);
    refused(maximize, 'E_STATE_MISMATCH', /\/param_groups\/0\/maximize expected false/);
    const two = base();
    const groups = dictOf(two.get('optimizer')).get('param_groups') as PyDict[];
    groups.push(groups[0]!);
    refused(two, 'E_STATE_MISMATCH', /one parameter group/);
  });
});
