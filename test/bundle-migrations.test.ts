/**
 * Schema evolution, with test-only architectures registered here: a bundle saved under schema
 * version 1 loads through the declared migration; newer versions, broken chains, silent drops and
 * silent defaults all fail clearly.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import mlp from '../architectures/mlp/build.js';
import { useTestBackend } from './helpers/backend.js';
import { jsonBytes, parseJson, rebuild, splitTar } from './helpers/tar-craft.js';
import { ArchbundleError, registerArchitecture, seedRandom, type Migration, State } from '../src/index.js';
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

  it('a migration that leaves a new argument to the schema default fails: nothing is silently defaulted', async () => {
    const { bytes } = await savedAsVersion1('ForgetfulMLP');
    await assert.rejects(State.load(bytes), (e: unknown) =>
      e instanceof ArchbundleError && e.code === 'E_INVALID_ARGS' && e.issues.some((i) => i.pointer === '/activation' && i.keyword === 'complete'));
  });
});
