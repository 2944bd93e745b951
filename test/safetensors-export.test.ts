/**
 * `archbundle export --to safetensors` and `archbundle import FILE.safetensors`, checked against
 * the reference implementation's own checkpoints: the exported file holds exactly the reference
 * model's state_dict keys, shapes and dtypes (so PyTorch's strict load_state_dict takes it) with
 * the checkpoint's values bit for bit, and importing it back gives the bundle's model exactly.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { readSafetensors } from '../src/core/safetensors/read.js';
import { writeSafetensors } from '../src/core/safetensors/write.js';
import { readTorchFile } from '../src/core/torch/read-torch-file.js';
import { tensorFloat32 } from '../src/core/torch/tensor-data.js';
import { PyDict, type TorchTensor } from '../src/core/torch/values.js';
import { importSafetensorsBytes, importTorchBytes } from '../src/node/import/import-file.js';
import type { Classifier } from '../src/tfjs/classifier.js';

before(useTestBackend);

const dir = new URL('./fixtures/reference-checkpoints/', import.meta.url);
const fixtureFile = (name: string) => path.join(new URL(dir).pathname, name);
const SAFETENSORS_DTYPE: Record<string, string> = { float32: 'F32', int64: 'I64' };

function weightsOf(model: Classifier): Map<string, Float32Array> {
  return new Map(model.namedWeights().map((w) => [w.name, w.variable.read().dataSync() as Float32Array]));
}

describe('safetensors export and import', () => {
  for (const name of ['simplenet-16-bn-whiten-dropout', 'resnet-basic-gn-noclamp', 'resnet-bottleneck-bn-whiten-noclamp', 'resnet-2class', 'wideresnet-none-nobias']) {
    it(`${name}: the reference implementation's model's state_dict, and back`, async () => {
      const fixture = JSON.parse(readFileSync(fixtureFile(`${name}.json`), 'utf8')) as { stateDictKeys: { key: string; shape: number[]; dtype: string }[] };
      const work = tempDir();
      const imported = await runCli(['import', fixtureFile(`${name}.pth`), 'model.bundle'], { cwd: work });
      assert.equal(imported.code, 0, imported.stderr);
      const exported = await runCli(['export', 'model.bundle', '--to', 'safetensors', 'model.safetensors'], { cwd: work });
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stdout, /wrote model.safetensors: \d+ tensors/);

      const bytes = new Uint8Array(readFileSync(path.join(work, 'model.safetensors')));
      const { tensors, metadata } = readSafetensors(bytes);
      const ours = new Map(tensors.map((t) => [t.name, t]));
      assert.deepEqual([...ours.keys()].sort(), fixture.stateDictKeys.map((k) => k.key).sort(), "the reference implementation's model has exactly these tensors");
      for (const { key, shape, dtype } of fixture.stateDictKeys) {
        assert.deepEqual(ours.get(key)!.shape, shape, `${key} shape`);
        assert.equal(ours.get(key)!.dtype, SAFETENSORS_DTYPE[dtype], `${key} dtype`);
      }
      // Values: the checkpoint's own, bit for bit (batch norm's update counter is not kept: exported as 0).
      const checkpoint = (readTorchFile(new Uint8Array(readFileSync(fixtureFile(`${name}.pth`)))).value as PyDict).get('model') as PyDict;
      for (const [key, value] of checkpoint.entries) {
        if (String(key).endsWith('num_batches_tracked')) continue;
        const t = ours.get(String(key))!;
        const exportedValues = new Float32Array(t.bytes.slice().buffer);
        assert.deepEqual(exportedValues, tensorFloat32(value as TorchTensor), `${String(key)} values`);
      }
      assert.equal(metadata?.format, 'pt');
      assert.match(metadata?.['arch.json'] ?? '', /"class": "(SimpleNet|ResNet|WideResNet)"/);

      // Back in: the same model, every weight bit for bit.
      const bundle = importTorchBytes(new Uint8Array(readFileSync(fixtureFile(`${name}.pth`))));
      const again = importSafetensorsBytes(bytes);
      try {
        assert.deepEqual(again.state.model.args, bundle.state.model.args);
        assert.deepEqual(weightsOf(again.state.model), weightsOf(bundle.state.model));
      } finally {
        for (const s of [bundle.state, again.state]) {
          s.model.dispose();
          s.optimizer?.dispose();
        }
      }
      const back = await runCli(['import', 'model.safetensors', 'back.bundle'], { cwd: work });
      assert.equal(back.code, 0, back.stderr);
      assert.match(back.stdout, /safetensors \(\d+ tensors, arch\.json in its metadata\)/);
      const valid = await runCli(['validate', '--deep', 'back.bundle'], { cwd: work });
      assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    });
  }

  it('a file without arch.json needs --class and --args, and then imports', async () => {
    const work = tempDir();
    const imported = importTorchBytes(new Uint8Array(readFileSync(fixtureFile('resnet-basic-bn.state_dict.pth'))), {
      className: 'ResNet',
      args: { classes: 10, resolution: [3, 8, 8], blocks: [2, 1], channels: 4, clamp: true },
    });
    const state = imported.state;
    try {
      const chunks = writeSafetensors(plainStateDict(readTorchFile(new Uint8Array(readFileSync(fixtureFile('resnet-basic-bn.state_dict.pth')))).value as PyDict));
      writeFileSync(path.join(work, 'plain.safetensors'), Buffer.concat(chunks));
      const refused = await runCli(['import', 'plain.safetensors', 'x.bundle'], { cwd: work });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /E_SAFETENSORS: .*no "arch.json" in its metadata: give --class NAME and --args JSON/);
      const ok = await runCli(['import', 'plain.safetensors', 'x.bundle', '--class', 'ResNet', '--args', JSON.stringify(state.model.args)], { cwd: work });
      assert.equal(ok.code, 0, ok.stderr);
      const again = importSafetensorsBytes(new Uint8Array(readFileSync(path.join(work, 'plain.safetensors'))), { className: 'ResNet', args: { ...state.model.args } });
      try {
        assert.deepEqual(weightsOf(again.state.model), weightsOf(state.model));
      } finally {
        again.state.model.dispose();
      }
    } finally {
      state.model.dispose();
    }
  });
});

/** A state_dict's tensors as safetensors input, the way the official writer would store them. */
function plainStateDict(dict: PyDict) {
  return [...dict.entries].map(([key, value]) => {
    const t = value as TorchTensor;
    const isCounter = t.storage.dtype === 'int64';
    const bytes = isCounter ? t.storage.bytes.slice(t.storageOffset * 8, t.storageOffset * 8 + 8) : new Uint8Array(tensorFloat32(t).buffer);
    return { name: String(key), dtype: isCounter ? ('I64' as const) : ('F32' as const), shape: [...t.shape], bytes };
  });
}
