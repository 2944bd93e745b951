/**
 * DESIGN.md "Bad input": every class of hostile or broken bundle, each hand-made from a valid
 * one, must fail with its own error code, allocate nothing and leave no tensor behind, whether
 * it arrives as bytes (streamed) or as a file (read at offsets, several reads in flight).
 *
 * One case per defect lives in the shared catalog (test/helpers/bad-bundles.ts, checked by
 * test/bad-bundles.test.ts and by the Python package's tests). What stays here asserts more than
 * a code: messages, issue pointers and keywords, reader options, the non-strict diff, leaks.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { tempDir } from './helpers/tempdir.js';
import { expectLoadRefused } from './helpers/bad-bundles.js';
import { craftTar, jsonBytes, parseJson, rebuild, splitTar, type CraftEntry } from './helpers/tar-craft.js';
import { ArchbundleError, seedRandom, readBundle, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

let valid: Uint8Array;
let entries: Map<string, Uint8Array>;
const folder = tempDir();
const bundleFile = join(folder, 'bad.bundle');

before(async () => {
  await useTestBackend();
  seedRandom(11);
  const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
  valid = await new State(model, undefined, undefined, 1).toBytes();
  model.dispose();
  entries = await splitTar(valid);
});

/** A copy of the valid entries with `edit` applied, rebuilt with a matching manifest. */
function edited(edit: (e: Map<string, Uint8Array>) => void, fixManifest = true): Uint8Array {
  const copy = new Map([...entries].map(([k, v]) => [k, Uint8Array.from(v)]));
  edit(copy);
  return rebuild(copy, { fixManifest });
}

function editJson(name: string, edit: (value: any) => void): Uint8Array {
  return edited((e) => {
    const value = parseJson(e.get(name));
    edit(value);
    e.set(name, jsonBytes(value));
  });
}

function withEntries(list: CraftEntry[]): Uint8Array {
  return craftTar(list);
}

function validList(): CraftEntry[] {
  return [...entries].map(([name, data]) => ({ name, data }));
}

/** State.load refuses `bytes` with `code`, from a file and from the bytes, alike, leaving no tensor allocated. */
async function expectCode(bytes: Uint8Array, code: string, options: Parameters<typeof State.load>[1] = {}): Promise<ArchbundleError> {
  writeFileSync(bundleFile, bytes);
  return expectLoadRefused(bytes, bundleFile, code, options);
}

describe('bad input: the container', () => {
  it('the untouched fixture and its hand-rebuilt copy both load', async () => {
    for (const bytes of [valid, rebuild(entries)]) (await State.load(bytes)).model.dispose();
  });

  it('a magic that is neither ustar nor GNU is named in the message', async () => {
    for (const magic of ['ustar\u000001', 'ustar \0 ', 'ustar  0']) {
      const list = validList();
      list[0]!.magic = magic;
      const e = await expectCode(withEntries(list), 'E_NOT_TAR');
      assert.ok(e.message.includes(JSON.stringify(magic)), e.message);
    }
  });

  it('a non-zero byte in the end marker: the message says which byte and where', async () => {
    const secondBlock = Uint8Array.from(valid);
    secondBlock[valid.length - 512 + 7] = 0x41; // the second zero block of the end marker
    const e = await expectCode(secondBlock, 'E_TRAILING_DATA');
    assert.match(e.message, new RegExp(`0x41\\) at offset ${valid.length - 512 + 7}`));
  });

  it('a non-zero byte hidden in the padding after an entry', async () => {
    // arch.json's header is block 0; its size (octal, bytes 124..135) tells where its padding starts.
    const size = parseInt(new TextDecoder().decode(valid.subarray(124, 135)), 8);
    assert.ok(size % 512 !== 0, 'arch.json has padding');
    const bytes = Uint8Array.from(valid);
    bytes[512 + size] = 0x5a;
    const e = await expectCode(bytes, 'E_NOT_TAR');
    assert.match(e.message, new RegExp(`0x5a\\) at offset ${512 + size}, in the zero padding after a tar entry`));
  });

  it('tensor tables without arch.json: E_ENTRY_MISSING before the table, not a TypeError in the loader (found by npm run fuzz)', async () => {
    // State.load builds the model when arch.json arrives and fits the weights table to it; a
    // table with no arch.json before it used to reach that hook with no model.
    const bytes = edited((e) => void e.delete('arch.json'));
    const error = await expectCode(bytes, 'E_ENTRY_MISSING');
    assert.match(error.message, /bundle entry "weights\.json" needs "arch\.json" before it, which is missing/);
    await assert.rejects(readBundle(bytes), (e: unknown) => e instanceof ArchbundleError && e.code === 'E_ENTRY_MISSING' && e.message === error.message);
  });

  it('stored arguments an old version\'s migration cannot read: E_INVALID_ARGS, not a TypeError (found by npm run fuzz)', async () => {
    // SimpleNet's migration from version 1 reads resolution as [channels, height, width].
    const old = await splitTar(readFileSync(new URL('./fixtures/simplenet-v1-16x16.bundle', import.meta.url)));
    for (const resolution of [16, null, { height: 16 }]) {
      const arch = parseJson(old.get('arch.json'));
      arch.args.resolution = resolution;
      const bytes = rebuild(new Map([...old, ['arch.json', jsonBytes(arch)]]));
      const error = await expectCode(bytes, 'E_INVALID_ARGS');
      assert.match(error.message, /^SimpleNet stored arguments are invalid: \/ do not fit the migration from version 1 \("blocks numbered .*"\): its layer renames threw TypeError: /);
      await assert.rejects(readBundle(bytes), (e: unknown) => e instanceof ArchbundleError && e.message === error.message);
    }
  });

  it('arguments the schema accepts but no typed array holds (2^31 - 1 classes): E_INVALID_ARGS, and the layers built so far are freed (found by npm run fuzz)', async () => {
    const bytes = editJson('arch.json', (arch) => void (arch.args.classes = 2 ** 31 - 1));
    await readBundle(bytes); // the TF.js-free reader builds nothing, so it has nothing to refuse
    const error = await expectCode(bytes, 'E_INVALID_ARGS');
    assert.match(error.message, /^MLP arguments ask for weights too large to allocate: /);
  });

  it('oversized entries under lowered caps: a JSON entry, a .bin entry', async () => {
    await expectCode(valid, 'E_ENTRY_TOO_LARGE', { limits: { maxJsonBytes: 64 } });
    await expectCode(valid, 'E_ENTRY_TOO_LARGE', { limits: { maxBinBytes: 16 } });
  });

});

describe('bad input: JSON entries', () => {
  const setRaw = (name: string, text: string) => edited((e) => void e.set(name, Buffer.from(text)));

  it('a __proto__ key pollutes no prototype on its way to E_JSON_FORBIDDEN_KEY', async () => {
    const arch = Buffer.from(entries.get('arch.json')!).toString();
    await expectCode(setRaw('arch.json', arch.replace('"args": {', '"args": {"__proto__": {"polluted": true},')), 'E_JSON_FORBIDDEN_KEY');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('arguments failing the architecture schema, and incomplete arguments', async () => {
    const e = await expectCode(editJson('arch.json', (a) => void (a.args.classes = 0)), 'E_INVALID_ARGS');
    assert.ok(e.issues.some((i) => i.pointer === '/classes'));
    const missing = await expectCode(editJson('arch.json', (a) => void delete a.args.hidden), 'E_INVALID_ARGS');
    assert.ok(missing.issues.some((i) => i.pointer === '/hidden' && i.keyword === 'complete'));
  });

});

describe('bad input: tensor tables', () => {
  const table = (edit: (tensors: any[]) => void) => editJson('weights.json', (w) => edit(w.tensors));

  const cases: [string, (t: any[]) => void, string][] = [
    ['overlapping offsets', (t) => void (t[1].byteOffset = 0), 'overlap'],
    ['a gap between tensors', (t) => void (t[1].byteOffset += 64), 'gap'],
    ['a misaligned offset', (t) => void (t[1].byteOffset += 4), 'alignment'],
    ['a bad dtype', (t) => void (t[0].dtype = 'float16'), 'dtype'],
    ['a shape product that overflows', (t) => void (t[0].shape = [2 ** 40, 2 ** 40]), 'overflow'],
    ['a byte length that does not match the shape', (t) => void (t[0].byteLength -= 4), 'length'],
    ['duplicate names', (t) => void (t[1].name = t[0].name), 'unique'],
    ['a negative dimension', (t) => void (t[0].shape = [-1, 5]), 'type'],
  ];
  for (const [what, edit, keyword] of cases) {
    it(what, async () => {
      const e = await expectCode(table(edit), 'E_TENSOR_TABLE');
      assert.ok(e.issues.some((i) => i.keyword === keyword), `issue keyword ${keyword} in ${JSON.stringify(e.issues)}`);
    });
  }

});

describe('bad input: weights that do not fit the model', () => {
  const misfit = () =>
    editJson('weights.json', (w) => {
      w.tensors[0].name = 'fc9/kernel'; // fc1/kernel missing, fc9/kernel unexpected
      w.tensors[1].shape = [1, 5]; // same byte length, wrong shape
    });

  it('missing, unexpected and wrongly shaped weights are listed in one error', async () => {
    const e = await expectCode(misfit(), 'E_WEIGHTS_MISMATCH');
    assert.deepEqual(
      e.issues.map((i) => [i.keyword, i.pointer]),
      [['missing', '/fc1~1kernel'], ['unexpected', '/fc9~1kernel'], ['shape', '/fc1~1bias']],
    );
  });

  it('non-strict mode loads what fits and returns the diff', async () => {
    const before = tf.memory().numTensors;
    const state = await State.load(misfit(), { strict: false });
    assert.deepEqual(state.diff.missing, ['fc1/kernel']);
    assert.deepEqual(state.diff.unexpected, ['fc9/kernel']);
    assert.deepEqual(state.diff.mismatched.map((m) => m.name), ['fc1/bias']);
    const reference = await State.load(valid);
    const same = (name: string) => {
      const a = state.model.namedWeights().find((w) => w.name === name)!.variable.read();
      const b = reference.model.namedWeights().find((w) => w.name === name)!.variable.read();
      return tf.tidy(() => tf.equal(a, b).all().dataSync()[0] === 1);
    };
    assert.ok(same('logits/kernel') && same('logits/bias'), 'matching weights are loaded');
    const missing = state.model.namedWeights().find((w) => w.name === 'fc1/kernel')!.variable.read();
    assert.ok(tf.tidy(() => tf.any(tf.notEqual(missing, 0)).dataSync()[0] === 1), 'a missing weight keeps its initialisation, not zeros');
    state.model.dispose();
    reference.model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
