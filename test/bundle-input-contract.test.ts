/**
 * input.json, the input contract of format version 2: written after arch.json, read back as
 * saved, checked against the model (labels per class, shape), refused in a version-1 bundle;
 * and version-1 bundles, which have none, still load.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { ROOT } from './helpers/cli.js';
import { jsonBytes, parseJson, rebuild, splitTar } from './helpers/tar-craft.js';
import { DEFAULT_PIXEL_SCALING, FORMAT_VERSION, inputContract, type InputContract } from '../src/core/index.js';
import { ArchbundleError, readBundle, seedRandom, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

const V1_FIXTURE = path.join(ROOT, 'test/fixtures/format-v1/mlp.archbundle');
const LABELS = ['cat', 'dog', 'bird'];
let withContract: Map<string, Uint8Array>;

before(async () => {
  await useTestBackend();
  seedRandom(5);
  const model = instantiate('MLP', { classes: 3, resolution: [2, 4, 5], hidden: [5] });
  const contract = inputContract({ resolution: [2, 4, 5], labels: LABELS, dataset: 'pets' });
  withContract = await splitTar(await new State(model, undefined, undefined, 1, {}, contract).toBytes());
  model.dispose();
});

async function codeOf(bytes: Uint8Array): Promise<ArchbundleError> {
  try {
    await readBundle(bytes);
  } catch (error) {
    assert.ok(error instanceof ArchbundleError, String(error));
    return error;
  }
  assert.fail('the bundle was accepted');
}

function edited(edit: (entries: Map<string, Uint8Array>) => void): Uint8Array {
  const copy = new Map(withContract);
  edit(copy);
  return rebuild(copy);
}

function editInput(edit: (input: Record<string, any>) => void): Uint8Array {
  return edited((e) => {
    const input = parseJson(e.get('input.json'));
    edit(input);
    e.set('input.json', jsonBytes(input));
  });
}

describe('input.json', () => {
  it('is written right after arch.json, and a loaded state has it as saved', async () => {
    assert.deepEqual([...withContract.keys()], ['arch.json', 'input.json', 'weights.json', 'weights.bin', 'training.json', 'manifest.json']);
    const expected: InputContract = { dataset: 'pets', labels: LABELS, pixels: { scale: 1 / 255, offset: 0 }, layout: 'NHWC', shape: [4, 5, 2] };
    assert.deepEqual(parseJson(withContract.get('input.json')), expected);
    const state = await State.load(rebuild(withContract));
    assert.deepEqual(state.input, expected);
    assert.equal(state.formatVersion, 2);
    state.model.dispose();
    const contents = await readBundle(rebuild(withContract));
    assert.deepEqual(contents.input, expected);
  });

  it('bundles of format version 2 say so in arch.json and manifest.json', () => {
    assert.equal(FORMAT_VERSION, 2);
    assert.equal(parseJson(withContract.get('arch.json')).formatVersion, 2);
    assert.equal(parseJson(withContract.get('manifest.json')).formatVersion, 2);
  });

  it('is optional: a state without a contract writes none and loads with input null', async () => {
    const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
    const entries = await splitTar(await new State(model).toBytes());
    model.dispose();
    assert.equal(entries.has('input.json'), false);
    const state = await State.load(rebuild(entries));
    assert.equal(state.input, null);
    state.model.dispose();
  });

  it('must have one label per class and the shape of the model (E_INPUT_MISMATCH, on reading)', async () => {
    const labels = await codeOf(editInput((i) => void i.labels.pop()));
    assert.equal(labels.code, 'E_INPUT_MISMATCH');
    assert.match(labels.message, /\/labels must have one label per class \(3\), received 2/);
    const shape = await codeOf(editInput((i) => void (i.shape = [2, 4, 5])));
    assert.equal(shape.code, 'E_INPUT_MISMATCH');
    assert.match(shape.message, /\/shape must be \[4, 5, 2\] \(the model's resolution \[2, 4, 5\] as height, width, channels\), received \[2, 4, 5\]/);
    const both = await codeOf(editInput((i) => void ((i.labels = ['a']), (i.shape = [1, 1, 1]))));
    assert.deepEqual(both.issues.map((i) => i.pointer), ['/labels', '/shape']);
  });

  it('must fit the model when written, too (E_INPUT_MISMATCH)', async () => {
    const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
    const wrong = inputContract({ resolution: [1, 4, 4], labels: ['only', 'two'] });
    await assert.rejects(new State(model, undefined, undefined, 0, {}, wrong).toBytes(), (error: ArchbundleError) => {
      assert.equal(error.code, 'E_INPUT_MISMATCH');
      assert.match(error.message, /must have one label per class \(3\), received 2/);
      return true;
    });
    model.dispose();
  });

  it('fails its schema when malformed (E_JSON_SCHEMA, with the pointer)', async () => {
    const cases: [(i: Record<string, any>) => void, string][] = [
      [(i) => void (i.layout = 'NCHW'), '/layout'],
      [(i) => void (i.pixels.scale = 0), '/pixels/scale'],
      [(i) => void delete i.pixels.offset, '/pixels/offset'],
      [(i) => void (i.labels = ['cat', '', 'bird']), '/labels/1'],
      [(i) => void (i.dataset = 'Has Spaces'), '/dataset'],
      [(i) => void (i.shape = [4, 5]), '/shape'],
      [(i) => void (i.extra = true), '/extra'],
      [(i) => void delete i.labels, '/labels'],
    ];
    for (const [edit, pointer] of cases) {
      const error = await codeOf(editInput(edit));
      assert.equal(error.code, 'E_JSON_SCHEMA', error.message);
      assert.ok(error.issues.some((i) => i.pointer === pointer), `${pointer} in ${error.message}`);
    }
  });

  it('must come right after arch.json (E_ENTRY_ORDER), and needs it (E_ENTRY_MISSING)', async () => {
    const list = [...withContract];
    const moved = new Map([list[0]!, list[2]!, list[1]!, ...list.slice(3)]);
    assert.equal((await codeOf(rebuild(moved))).code, 'E_ENTRY_ORDER');
    const noArch = edited((e) => void e.delete('arch.json'));
    const missing = await codeOf(noArch);
    assert.equal(missing.code, 'E_ENTRY_MISSING');
    assert.match(missing.message, /"input\.json" needs "arch\.json" before it/);
  });

  it('is refused in a bundle of format version 1 (E_ENTRY_UNKNOWN)', async () => {
    const asVersion1 = (e: Map<string, Uint8Array>) => {
      for (const name of ['arch.json', 'manifest.json']) e.set(name, jsonBytes({ ...parseJson(e.get(name)), formatVersion: 1 }));
    };
    const error = await codeOf(edited(asVersion1));
    assert.equal(error.code, 'E_ENTRY_UNKNOWN');
    assert.match(error.message, /bundle entry "input\.json" is not part of format version 1 \(it came with version 2\)/);
    // the same bundle without input.json is a valid version-1 bundle
    const state = await State.load(edited((e) => void (asVersion1(e), e.delete('input.json'))));
    assert.equal(state.formatVersion, 1);
    assert.equal(state.input, null);
    state.model.dispose();
  });

  it('the committed version-1 fixture, made before input.json existed, loads as it was', async () => {
    const bytes = new Uint8Array(readFileSync(V1_FIXTURE));
    const entries = await splitTar(bytes);
    assert.deepEqual([...entries.keys()], ['arch.json', 'weights.json', 'weights.bin', 'optimizer.json', 'optimizer.bin', 'training.json', 'manifest.json']);
    const state = await State.load(bytes);
    assert.equal(state.formatVersion, 1);
    assert.equal(state.input, null);
    assert.equal(state.model.className, 'MLP');
    assert.equal(state.epoch, 2);
    assert.equal(state.optimizer?.className, 'SGD');
    state.optimizer?.dispose();
    state.model.dispose();
  });

  it('the default pixel scaling is training\'s: 8-bit values × 1/255', () => {
    assert.deepEqual(DEFAULT_PIXEL_SCALING, { scale: 1 / 255, offset: 0 });
    assert.deepEqual(inputContract({ resolution: [3, 32, 32] }), {
      dataset: null,
      labels: null,
      pixels: { scale: 1 / 255, offset: 0 },
      layout: 'NHWC',
      shape: [32, 32, 3],
    });
  });
});
