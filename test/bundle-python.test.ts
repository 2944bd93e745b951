/**
 * Another tool reads a bundle with only the published spec: the Python reader printed in
 * docs/bundle-format.md (tarfile, hashlib, numpy) checks the digests and gets the same weights.
 * Fails where /usr/bin/python3 with numpy is not installed (CI installs them).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { inputContract, seedRandom, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

before(useTestBackend);

it('the Python reader of the spec loads the class, arguments, input contract and bit-identical weights', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'archbundle-python-'));
  try {
    seedRandom(8);
    const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
    const path = join(folder, 'model.bundle');
    const contract = inputContract({ resolution: [1, 4, 4], labels: ['a', 'b', 'c'], dataset: 'letters' });
    await new State(model, undefined, undefined, 0, {}, contract).save(path);
    const doc = await readFile('docs/bundle-format.md', 'utf8');
    const snippet = /```python\n([\s\S]*?)```/.exec(doc)![1]!.replace('"model.bundle"', JSON.stringify(path));
    const script = `${snippet}\nprint(json.dumps({"class": arch["class"], "args": arch["args"], "contract": contract, "weights": {k: v.astype("<f4").tobytes().hex() for k, v in weights.items()}}))`;
    const run = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    assert.equal(out.class, 'MLP');
    assert.deepEqual(out.args, model.args);
    assert.deepEqual(out.contract, contract);
    for (const w of model.namedWeights()) {
      const data = w.variable.read().dataSync();
      assert.equal(out.weights[w.name], Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex'), w.name);
    }
    model.dispose();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
