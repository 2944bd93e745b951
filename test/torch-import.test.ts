/**
 * `archbundle import` against checkpoints written by the reference implementation itself
 * (test/fixtures/reference-checkpoints/, made by scripts/reference_checkpoints.py): the bundle
 * predicts the reference model's logits (eval mode, non-trivial batch-norm statistics) for every
 * case, from the legacy and the zip serialisation and from a plain state_dict, and what the
 * mapping drops is reported. Mapping errors are checked on real files' values, altered.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
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
const fixture = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Case;

/** Our logits on the case's input; for the reference's single logit z, ours are [a, b] with b - a = z. */
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
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= 1e-4 * scale + 1e-6, `${what}[${i}]: ${a} vs the reference's ${expected[i]}`));
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
    it(`${file.replace(/\.json$/, '')}: same logits as the reference model`, async () => {
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

  it('optimizer state of another rank than its weight: E_STATE_MISMATCH, not a RangeError (found by npm run fuzz)', () => {
    // The permutation of a conv kernel's layout (OIHW → HWIO) was applied to a momentum buffer of rank 1.
    const value = base();
    const perParameter = dictOf(dictOf(value.get('optimizer')).get('state'));
    const slots = dictOf(perParameter.get(0));
    const buffer = slots.get('momentum_buffer') as TorchTensor;
    assert.deepEqual(buffer.shape, [4, 3, 3, 3], 'parameter 0 is conv1.weight');
    slots.entries.set('momentum_buffer', { ...buffer, shape: [108], stride: [1] });
    const before = tf.memory().numTensors;
    refused(value, 'E_STATE_MISMATCH', /\/state\/0\/momentum_buffer expected a 4-d tensor like the weight of "conv1\.weight", received shape \[108\]/);
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
