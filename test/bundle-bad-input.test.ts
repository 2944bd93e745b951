/**
 * DESIGN.md "Bad input": every class of hostile or broken bundle, each hand-made from a valid
 * one, must fail with its own error code, allocate nothing and leave no tensor behind, whether
 * it arrives as bytes (streamed) or as a file (read at offsets, several reads in flight).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { tempDir } from './helpers/tempdir.js';
import { craftTar, jsonBytes, parseJson, rebuild, splitTar, type CraftEntry } from './helpers/tar-craft.js';
import { checkTrainingClasses } from '../src/core/index.js';
import { ArchbundleError, seedRandom, readBundle, State, createOptimizer, createScheduler, trainStep } from '../src/index.js';
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

async function expectCode(bytes: Uint8Array, code: string, options: Parameters<typeof State.load>[1] = {}): Promise<ArchbundleError> {
  writeFileSync(bundleFile, bytes);
  const fromFile = await expectCodeFrom(bundleFile, code, options);
  const fromBytes = await expectCodeFrom(bytes, code, options);
  assert.equal(fromFile.message, fromBytes.message, 'a file and its bytes fail alike');
  return fromBytes;
}

async function expectCodeFrom(source: Uint8Array | string, code: string, options: Parameters<typeof State.load>[1]): Promise<ArchbundleError> {
  const tensorsBefore = tf.memory().numTensors;
  let caught: unknown;
  try {
    const state = await State.load(source, options);
    state.model.dispose();
  } catch (error) {
    caught = error;
  }
  const from = typeof source === 'string' ? 'from a file' : 'from bytes';
  assert.ok(caught instanceof ArchbundleError, `expected ArchbundleError ${code} ${from}, received ${String(caught)}`);
  assert.equal(caught.code, code, `${from}: ${caught.message}`);
  assert.equal(tf.memory().numTensors, tensorsBefore, `no tensor stays allocated (${from})`);
  return caught;
}

describe('bad input: the container', () => {
  it('the untouched fixture and its hand-rebuilt copy both load', async () => {
    for (const bytes of [valid, rebuild(entries)]) (await State.load(bytes)).model.dispose();
  });

  it('not a tar: JSON text, random bytes, an empty input, a magic that is neither ustar nor GNU', async () => {
    await expectCode(Buffer.from('{"class":"MLP"}'.padEnd(2048, ' ')), 'E_NOT_TAR');
    await expectCode(Uint8Array.from({ length: 1536 }, (_, i) => (i * 131 + 7) % 251), 'E_NOT_TAR');
    await expectCode(new Uint8Array(0), 'E_NOT_TAR');
    for (const magic of ['ustar\u000001', 'ustar \0 ', 'ustar  0']) {
      const list = validList();
      list[0]!.magic = magic;
      const e = await expectCode(withEntries(list), 'E_NOT_TAR');
      assert.ok(e.message.includes(JSON.stringify(magic)), e.message);
    }
  });

  it('a header whose checksum does not match', async () => {
    const bytes = Uint8Array.from(valid);
    bytes[10] = 0x41; // inside the first entry's name
    await expectCode(bytes, 'E_NOT_TAR');
  });

  it('truncated: inside a header, inside an entry, before the end marker', async () => {
    await expectCode(valid.subarray(0, 300), 'E_TRUNCATED');
    await expectCode(valid.subarray(0, 512 + 100), 'E_TRUNCATED');
    await expectCode(valid.subarray(0, valid.length - 512), 'E_TRUNCATED');
    await expectCode(withEntries(validList()).subarray(0, valid.length - 1024), 'E_TRUNCATED');
  });

  it('trailing bytes after the end-of-archive marker', async () => {
    // Zeros up to the 10240-byte record boundary are tar's own padding; one block more is not.
    await expectCode(Buffer.concat([valid, new Uint8Array(10240 - (valid.length % 10240) + 512)]), 'E_TRAILING_DATA');
    await expectCode(Buffer.concat([valid, Buffer.from('x')]), 'E_TRAILING_DATA');
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

  // Extension headers (pax, GNU long names and links, sparse files): test/bundle-tar-variants.test.ts.
  for (const [type, kind] of [['1', 'hard link'], ['2', 'symlink'], ['3', 'character device'], ['4', 'block device'], ['5', 'directory'], ['6', 'fifo']] as const) {
    it(`an entry that is a ${kind}`, async () => {
      const list = validList();
      list.splice(1, 0, { name: 'weights.json', type, linkname: type === '1' || type === '2' ? '/etc/passwd' : undefined });
      await expectCode(withEntries(list), 'E_ENTRY_TYPE');
    });
  }

  for (const [path, why] of [['/etc/arch.json', 'absolute'], ['../arch.json', 'parent'], ['a/../../arch.json', 'nested parent'], ['dir\\arch.json', 'backslash'], ['sub/arch.json', 'folder']] as const) {
    it(`a ${why} path: ${path}`, async () => {
      const list = validList();
      list[0]!.name = path;
      await expectCode(withEntries(list), 'E_ENTRY_PATH');
    });
  }

  it('an unknown entry', async () => {
    const list = validList();
    list.splice(2, 0, { name: 'payload.pkl', data: Buffer.from('cos\nsystem\n') });
    await expectCode(withEntries(list), 'E_ENTRY_UNKNOWN');
  });

  it('a duplicate entry', async () => {
    const list = validList();
    list.splice(1, 0, { ...list[0]! });
    await expectCode(withEntries(list), 'E_ENTRY_DUPLICATE');
  });

  it('missing entries: training.json, manifest.json, weights.json before weights.bin', async () => {
    await expectCode(withEntries(validList().filter((e) => e.name !== 'training.json')), 'E_ENTRY_MISSING');
    await expectCode(withEntries(validList().filter((e) => e.name !== 'manifest.json')), 'E_ENTRY_MISSING');
    await expectCode(withEntries(validList().filter((e) => e.name !== 'weights.json')), 'E_ENTRY_MISSING');
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

  it('entries out of order', async () => {
    const list = validList();
    [list[3], list[4]] = [list[4]!, list[3]!]; // training.json after manifest.json
    await expectCode(withEntries(list), 'E_ENTRY_ORDER');
  });

  it('oversized entries: a JSON entry over the cap, a .bin entry over the cap, a header claiming 8 GiB', async () => {
    await expectCode(valid, 'E_ENTRY_TOO_LARGE', { limits: { maxJsonBytes: 64 } });
    await expectCode(valid, 'E_ENTRY_TOO_LARGE', { limits: { maxBinBytes: 16 } });
    const list = validList();
    list[0] = { ...list[0]!, size: 8 * 1024 ** 3 - 1 };
    await expectCode(withEntries(list), 'E_ENTRY_TOO_LARGE');
  });

  it('a checksum that does not match (one flipped weight byte)', async () => {
    const bytes = edited((e) => {
      e.get('weights.bin')![7]! ^= 0x01;
    }, false);
    await expectCode(bytes, 'E_CHECKSUM');
  });

  it('a manifest that lists other entries than the bundle holds', async () => {
    await expectCode(
      edited((e) => {
        const m = parseJson(e.get('manifest.json'));
        m.entries.pop();
        e.set('manifest.json', jsonBytes(m));
      }, false),
      'E_CHECKSUM',
    );
  });
});

describe('bad input: JSON entries', () => {
  const setRaw = (name: string, text: string) => edited((e) => void e.set(name, Buffer.from(text)));

  it('invalid JSON, invalid UTF-8, text after the value', async () => {
    await expectCode(setRaw('training.json', '{"epoch": 1,'), 'E_JSON_SYNTAX');
    await expectCode(edited((e) => void e.set('training.json', Uint8Array.from([0x7b, 0xff, 0x7d]))), 'E_JSON_SYNTAX');
    await expectCode(setRaw('training.json', '{} {}'), 'E_JSON_SYNTAX');
  });

  it('JSON nested too deep', async () => {
    await expectCode(setRaw('training.json', '['.repeat(100) + ']'.repeat(100)), 'E_JSON_DEPTH');
    await expectCode(setRaw('arch.json', '{"a":'.repeat(70) + '1' + '}'.repeat(70)), 'E_JSON_DEPTH');
  });

  it('duplicate keys, also when spelled with escapes', async () => {
    await expectCode(setRaw('training.json', '{"epoch": 1, "epoch": 2}'), 'E_JSON_DUPLICATE_KEY');
    await expectCode(setRaw('training.json', '{"epoch": 1, "\\u0065poch": 2}'), 'E_JSON_DUPLICATE_KEY');
  });

  it('__proto__ and constructor keys', async () => {
    const arch = Buffer.from(entries.get('arch.json')!).toString();
    await expectCode(setRaw('arch.json', arch.replace('"args": {', '"args": {"__proto__": {"polluted": true},')), 'E_JSON_FORBIDDEN_KEY');
    await expectCode(setRaw('arch.json', arch.replace('"args": {', '"args": {"\\u005f_proto__": 1,')), 'E_JSON_FORBIDDEN_KEY');
    await expectCode(setRaw('arch.json', arch.replace('"args": {', '"args": {"constructor": 1,')), 'E_JSON_FORBIDDEN_KEY');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('an entry failing its schema', async () => {
    await expectCode(editJson('training.json', (t) => void (t.epoch = -1)), 'E_JSON_SCHEMA');
    await expectCode(editJson('manifest.json', (m) => void (m.extra = 1)), 'E_JSON_SCHEMA');
    await expectCode(editJson('arch.json', (a) => void delete a.schemaVersion), 'E_JSON_SCHEMA');
  });

  it('an unknown class: nothing in a bundle names code to run', async () => {
    await expectCode(editJson('arch.json', (a) => void (a.class = 'os_system')), 'E_UNKNOWN_CLASS');
  });

  it('arguments failing the architecture schema, and incomplete arguments', async () => {
    const e = await expectCode(editJson('arch.json', (a) => void (a.args.classes = 0)), 'E_INVALID_ARGS');
    assert.ok(e.issues.some((i) => i.pointer === '/classes'));
    const missing = await expectCode(editJson('arch.json', (a) => void delete a.args.hidden), 'E_INVALID_ARGS');
    assert.ok(missing.issues.some((i) => i.pointer === '/hidden' && i.keyword === 'complete'));
  });

  it('an unknown or newer format version, a foreign format id', async () => {
    await expectCode(editJson('arch.json', (a) => void (a.formatVersion = 3)), 'E_FORMAT_VERSION');
    await expectCode(editJson('arch.json', (a) => void (a.formatVersion = 1)), 'E_FORMAT_VERSION'); // manifest.json still says 2
    await expectCode(editJson('manifest.json', (m) => void (m.formatVersion = 99)), 'E_FORMAT_VERSION');
    await expectCode(editJson('manifest.json', (m) => void (m.format = 'safetensors')), 'E_FORMAT_VERSION');
  });

  it('a newer architecture schema version', async () => {
    await expectCode(editJson('arch.json', (a) => void (a.schemaVersion = 7)), 'E_SCHEMA_VERSION');
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

  it('offsets out of range: the table needs more bytes than weights.bin holds', async () => {
    await expectCode(edited((e) => void e.set('weights.bin', e.get('weights.bin')!.subarray(0, e.get('weights.bin')!.length - 4))), 'E_TENSOR_TABLE');
  });

  it('bytes no tensor covers at the end of weights.bin', async () => {
    await expectCode(edited((e) => void e.set('weights.bin', Buffer.concat([e.get('weights.bin')!, new Uint8Array(8)]))), 'E_TENSOR_TABLE');
  });

  it('non-zero padding between tensors', async () => {
    await expectCode(
      edited((e) => {
        const w = parseJson(e.get('weights.json'));
        const padded = w.tensors.find((t: any) => t.byteLength % 64 !== 0);
        e.get('weights.bin')![padded.byteOffset + padded.byteLength]! = 0xff;
      }),
      'E_TENSOR_TABLE',
    );
  });
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

describe('the TF.js-free layer reports the same codes', () => {
  it('readBundle refuses a symlink and a flipped byte without TF.js', async () => {
    const list = validList();
    list[0]!.type = '2';
    await assert.rejects(readBundle(withEntries(list)), (e: unknown) => (e as ArchbundleError).code === 'E_ENTRY_TYPE');
    const flipped = edited((e) => void (e.get('weights.bin')![0]! ^= 1), false);
    await assert.rejects(readBundle(flipped), (e: unknown) => (e as ArchbundleError).code === 'E_CHECKSUM');
  });
});

describe('bad input: optimizer and scheduler state that does not fit', () => {
  let trained: Map<string, Uint8Array>;

  before(async () => {
    seedRandom(12);
    const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
    const optimizer = createOptimizer('Adam', { learningRate: 0.01 });
    const scheduler = createScheduler('CosineAnnealingLR', { tMax: 10 }, optimizer);
    const x = tf.ones([2, 4, 4, 1]);
    const y = tf.tensor1d([0, 1], 'int32');
    trainStep(model, optimizer, x, y);
    scheduler.step();
    trained = await splitTar(await new State(model, optimizer, scheduler, 1).toBytes());
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  });

  const editTrained = (name: string, edit: (value: any) => void) => {
    const copy = new Map(trained);
    const value = parseJson(copy.get(name));
    edit(value);
    copy.set(name, jsonBytes(value));
    return rebuild(copy);
  };

  it('the fixture with optimizer and scheduler loads', async () => {
    const state = await State.load(rebuild(trained));
    assert.equal(state.optimizer!.className, 'Adam');
    assert.equal(state.scheduler!.className, 'CosineAnnealingLR');
    state.model.dispose();
    state.optimizer!.dispose();
  });

  it('optimizer slots of a weight the model lacks', async () => {
    await expectCode(editTrained('optimizer.json', (o) => void (o.tensors[0].name = 'fc9/kernel/exp_avg')), 'E_STATE_MISMATCH');
  });

  it('optimizer slots of the wrong shape', async () => {
    await expectCode(
      editTrained('optimizer.json', (o) => {
        const slot = o.tensors.find((t: any) => t.name === 'fc1/bias/exp_avg');
        slot.shape = [1, 5];
      }),
      'E_STATE_MISMATCH',
    );
  });

  /** State.load and the TF.js-free check of `archbundle validate` both refuse `bytes` with `code`. */
  async function expectClassCode(bytes: Uint8Array, code: string): Promise<void> {
    await expectCode(bytes, code);
    await assert.rejects(async () => checkTrainingClasses(await readBundle(bytes)), (e: unknown) => e instanceof ArchbundleError && e.code === code);
  }

  it('an unknown optimizer or scheduler class', async () => {
    await expectClassCode(editTrained('optimizer.json', (o) => void (o.class = 'Pickle')), 'E_UNKNOWN_CLASS');
    await expectClassCode(editTrained('scheduler.json', (s) => void (s.class = 'Pickle')), 'E_UNKNOWN_CLASS');
  });

  it('optimizer or scheduler arguments failing their schema', async () => {
    await expectClassCode(editTrained('optimizer.json', (o) => void (o.args.beta1 = 7)), 'E_INVALID_ARGS');
    await expectClassCode(editTrained('scheduler.json', (s) => void (s.args.tMax = 0)), 'E_INVALID_ARGS');
  });

  it('scheduler state that does not fit', async () => {
    await expectCode(editTrained('scheduler.json', (s) => void (s.state = { nonsense: true })), 'E_STATE_MISMATCH');
  });

  it('a scheduler without an optimizer', async () => {
    const copy = new Map([...trained].filter(([n]) => !n.startsWith('optimizer.')));
    await expectCode(rebuild(copy), 'E_ENTRY_MISSING');
  });
});
