/**
 * Schema evolution, with test-only architectures registered here: a bundle saved under schema
 * version 1 loads through the declared migration; newer versions, broken chains, silent drops and
 * silent defaults all fail clearly; layers renamed along a chain of migrations take their weights
 * and optimizer slots with them.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import mlp from '../architectures/mlp/build.js';
import { useTestBackend } from './helpers/backend.js';
import { jsonBytes, parseJson, rebuild, splitTar } from './helpers/tar-craft.js';
import { ArchbundleError, createOptimizer, registerArchitecture, seedRandom, type Migration, State, trainStep } from '../src/index.js';
import { instantiate } from '../src/train.js';

/** MLP as it is now (version 2), whose version 1 called `hidden` "hiddenUnits" and had no `activation`. */
const renameAndAdd: Migration = {
  from: 1,
  description: 'hiddenUnits renamed to hidden; activation added, relu as version 1 always used',
  renamed: { hiddenUnits: 'hidden' },
  migrate: ({ hiddenUnits, ...rest }) => ({ ...rest, hidden: hiddenUnits, activation: 'relu' }),
};

function versioned(name: string, migrations: Migration[]) {
  return { ...mlp, name, schema: { ...mlp.schema, $id: `urn:archbundle:test:${name}`, 'x-version': 2 }, migrations };
}

registerArchitecture(versioned('EvolvedMLP', [renameAndAdd]));
registerArchitecture(versioned('LossyMLP', [{ ...renameAndAdd, migrate: ({ hiddenUnits, legacyFlag, ...rest }) => ({ ...rest, hidden: hiddenUnits, activation: 'relu' }) }]));
registerArchitecture(versioned('ForgetfulMLP', [{ ...renameAndAdd, migrate: ({ hiddenUnits, ...rest }) => ({ ...rest, hidden: hiddenUnits }) }]));
registerArchitecture(versioned('DroppingMLP', [{ ...renameAndAdd, dropped: ['legacyFlag'], migrate: ({ hiddenUnits, legacyFlag, ...rest }) => ({ ...rest, hidden: hiddenUnits, activation: 'relu' }) }]));
registerArchitecture(versioned('UnchainedMLP', []));

/**
 * MLP (layers fc1, fc2, fc3, logits) whose version 1 called fc1 "input1" and had fc2 and fc3 the
 * other way round: version 2 renamed input1 to hidden1, version 3 hidden1 to fc1 and swapped fc2
 * and fc3, all in one step. The arguments never changed.
 */
const relabelled: Migration[] = [
  { from: 1, description: 'input1 is hidden1', migrate: (args) => args, weights: () => ({ input1: 'hidden1' }) },
  { from: 2, description: 'hidden1 is fc1; fc2 and fc3 swap', migrate: (args) => args, weights: () => ({ hidden1: 'fc1', fc2: 'fc3', fc3: 'fc2' }) },
];
registerArchitecture({ ...versioned('RelabelledMLP', relabelled), schema: { ...mlp.schema, $id: 'urn:archbundle:test:RelabelledMLP', 'x-version': 3 } });
registerArchitecture(versioned('CollidingMLP', [{ from: 1, description: 'fc1 is fc2', migrate: (args) => args, weights: () => ({ fc1: 'fc2' }) }]));
registerArchitecture(versioned('NestingMLP', [{ from: 1, description: 'fc1 moves into a folder', migrate: (args) => args, weights: () => ({ fc1: 'block/fc1' }) }]));

/** Renames the layers of every stored weight and optimizer slot, as an older version would have named them. */
function renameStored(entries: Map<string, Uint8Array>, old: Record<string, string>): void {
  for (const table of ['weights.json', 'optimizer.json']) {
    const value = parseJson(entries.get(table));
    for (const t of value.tensors) {
      const [layer, ...rest] = t.name.split('/');
      t.name = [old[layer] ?? layer, ...rest].join('/');
    }
    entries.set(table, jsonBytes(value));
  }
}

/** A bundle of `name` whose arch.json is rewritten to look as version 1 wrote it. */
async function savedAsVersion1(name: string, extra: Record<string, unknown> = {}): Promise<{ bytes: Uint8Array; logits: Float32Array }> {
  seedRandom(5);
  const model = instantiate(name, { classes: 3, resolution: [1, 4, 4], hidden: [6] });
  const x = tf.ones([2, 4, 4, 1]);
  const logits = model.predict(x).dataSync() as Float32Array;
  const entries = await splitTar(await new State(model).toBytes());
  tf.dispose(x);
  model.dispose();
  const arch = parseJson(entries.get('arch.json'));
  const { hidden, activation, ...rest } = arch.args;
  assert.equal(activation, 'relu');
  arch.args = { ...rest, ...extra, hiddenUnits: hidden };
  arch.schemaVersion = 1;
  entries.set('arch.json', jsonBytes(arch));
  return { bytes: rebuild(entries), logits };
}

async function loadCode(bytes: Uint8Array): Promise<string> {
  const before = tf.memory().numTensors;
  try {
    (await State.load(bytes)).model.dispose();
    return 'loaded';
  } catch (error) {
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.ok(error instanceof ArchbundleError, String(error));
    return error.code;
  }
}

before(useTestBackend);

describe('schema evolution', () => {
  it('a version 1 bundle loads through the migration, with identical predictions', async () => {
    const { bytes, logits } = await savedAsVersion1('EvolvedMLP');
    const state = await State.load(bytes);
    assert.deepEqual(state.model.args.hidden, [6]);
    assert.equal(state.model.args.activation, 'relu');
    const x = tf.ones([2, 4, 4, 1]);
    assert.deepEqual(state.model.predict(x).dataSync(), logits);
    tf.dispose(x);
    state.model.dispose();
  });

  it('a newer schema version than the registry knows fails with E_SCHEMA_VERSION', async () => {
    const { bytes } = await savedAsVersion1('EvolvedMLP');
    const entries = await splitTar(bytes);
    const arch = parseJson(entries.get('arch.json'));
    arch.schemaVersion = 3;
    entries.set('arch.json', jsonBytes(arch));
    assert.equal(await loadCode(rebuild(entries)), 'E_SCHEMA_VERSION');
  });

  it('a missing step in the migration chain fails with E_SCHEMA_VERSION', async () => {
    assert.equal(await loadCode((await savedAsVersion1('UnchainedMLP')).bytes), 'E_SCHEMA_VERSION');
  });

  it('a migration that silently drops a stored argument fails, naming it', async () => {
    const { bytes } = await savedAsVersion1('LossyMLP', { legacyFlag: true });
    await assert.rejects(State.load(bytes), (e: unknown) =>
      e instanceof ArchbundleError && e.code === 'E_SCHEMA_VERSION' && e.issues.some((i) => i.pointer === '/legacyFlag'));
  });

  it('a migration that declares the drop is allowed', async () => {
    assert.equal(await loadCode((await savedAsVersion1('DroppingMLP', { legacyFlag: true })).bytes), 'loaded');
  });

  it('layers renamed along a chain of migrations (one step swapping two) take their weights and slots along', async () => {
    seedRandom(6);
    const model = instantiate('RelabelledMLP', { classes: 3, resolution: [1, 4, 4], hidden: [5, 5, 5] });
    const optimizer = createOptimizer('SGD', { learningRate: 0.1, momentum: 0.9 });
    const x = tf.linspace(0, 1, 32).reshape([2, 4, 4, 1]);
    const y = tf.tensor1d([0, 2], 'int32');
    trainStep(model, optimizer, x, y);
    const entries = await splitTar(await new State(model, optimizer).toBytes());
    trainStep(model, optimizer, x, y);
    const expected = model.predict(x).dataSync();
    model.dispose();
    optimizer.dispose();
    renameStored(entries, { fc1: 'input1', fc2: 'fc3', fc3: 'fc2' });
    const arch = parseJson(entries.get('arch.json'));
    arch.schemaVersion = 1;
    entries.set('arch.json', jsonBytes(arch));

    const state = await State.load(rebuild(entries));
    assert.deepEqual(state.diff, { missing: [], unexpected: [], mismatched: [] });
    trainStep(state.model, state.optimizer!, x, y);
    assert.deepEqual(state.model.predict(x).dataSync(), expected);
    tf.dispose([x, y]);
    state.optimizer!.dispose();
    state.model.dispose();
  });

  it('a layer renamed onto a layer the bundle still holds fails with E_TENSOR_TABLE, naming both', async () => {
    const model = instantiate('CollidingMLP', { classes: 3, resolution: [1, 4, 4], hidden: [6, 6] });
    const entries = await splitTar(await new State(model).toBytes());
    model.dispose();
    const arch = parseJson(entries.get('arch.json'));
    arch.schemaVersion = 1;
    entries.set('arch.json', jsonBytes(arch));
    await assert.rejects(State.load(rebuild(entries)), (e: unknown) =>
      e instanceof ArchbundleError && e.code === 'E_TENSOR_TABLE' && e.issues.some((i) => i.pointer === '/tensors/2/name' && i.message === '"fc1/kernel" and "fc2/kernel" are both named "fc2/kernel" after the renames'));
  });

  it('a rename to something that is not a layer name fails with E_SCHEMA_VERSION, naming the layer', async () => {
    const model = instantiate('NestingMLP', { classes: 3, resolution: [1, 4, 4], hidden: [6] });
    const entries = await splitTar(await new State(model).toBytes());
    model.dispose();
    const arch = parseJson(entries.get('arch.json'));
    arch.schemaVersion = 1;
    entries.set('arch.json', jsonBytes(arch));
    await assert.rejects(State.load(rebuild(entries)), (e: unknown) =>
      e instanceof ArchbundleError && e.code === 'E_SCHEMA_VERSION' && e.issues.some((i) => i.pointer === '/fc1' && i.keyword === 'layer'));
  });

  it('a migration that leaves a new argument to the schema default fails: nothing is silently defaulted', async () => {
    const { bytes } = await savedAsVersion1('ForgetfulMLP');
    await assert.rejects(State.load(bytes), (e: unknown) =>
      e instanceof ArchbundleError && e.code === 'E_INVALID_ARGS' && e.issues.some((i) => i.pointer === '/activation' && i.keyword === 'complete'));
  });
});
