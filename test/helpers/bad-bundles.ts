/**
 * The catalog of hand-made bad bundles (docs/bundle-format.md §6): each case is a valid base
 * bundle with one defect, and the error code every archbundle reader must refuse it with.
 * `npm run fixtures:bad-bundles` writes them to test/fixtures/bad-bundles/, where the TypeScript
 * tests (test/bad-bundles.test.ts) and the Python package's (python/tests/test_bad_bundles.py)
 * read the same bytes.
 *
 * The bases are made by the core writer from fixed numbers, never by TF.js's random
 * initialisers, so the bytes are the same whatever the backend. Nothing here imports TF.js.
 */
import assert from 'node:assert/strict';
import { architectures, bundleChunks, inputContract, optimizers, schedulers, type BundleParts, type ErrorCode, type TensorSource } from '../../src/core/index.js';
import { craftTar, GNU_MAGIC, jsonBytes, paxData, parseJson, rebuild, splitTar, type CraftEntry } from './tar-craft.js';
import type { ArchbundleError, LoadOptions } from '../../src/index.js';

export interface BadBundle {
  /** Stable kebab-case name, also the fixture's file name. */
  id: string;
  code: ErrorCode;
  /**
   * 'read': refused by the TF.js-free layer (readBundle, then checkTrainingClasses: what
   * `archbundle validate` does); 'load': read fine, refused only when the model, optimizer or
   * scheduler is built (State.load).
   */
  stage: 'read' | 'load';
  /** One line: what is wrong. */
  what: string;
  bytes: Uint8Array;
}

/** The MLP every base holds: small enough that a fixture is a few KiB. */
const MLP = { classes: 3, resolution: [1, 4, 4], hidden: [5] } as const;
/** Its weights in model order (fc1: 16 inputs → 5, logits: 5 → 3). */
const WEIGHT_SHAPES: [string, number[]][] = [['fc1/kernel', [16, 5]], ['fc1/bias', [5]], ['logits/kernel', [5, 3]], ['logits/bias', [3]]];
/** CosineAnnealingLR(tMax 10) after one epoch from 0.01: 0.005 × (1 + cos(π/10)), as TF.js saved it. */
const COSINE_RATE = 0.009755282581475769;

/** A float32 tensor whose elements are `value(i)` (small dyadic fractions, exact in float32). */
function fixed(name: string, shape: number[], value: (i: number) => number): TensorSource {
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    dtype: 'float32',
    shape,
    bytes() {
      const view = new DataView(new ArrayBuffer(count * 4));
      for (let i = 0; i < count; i++) view.setFloat32(i * 4, value(i), true);
      return new Uint8Array(view.buffer);
    },
  };
}

async function write(parts: BundleParts): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of bundleChunks(parts)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function baseParts(): BundleParts {
  return {
    arch: {
      class: 'MLP',
      schemaId: String(architectures.get('MLP').schema.$id),
      schemaVersion: Number(architectures.get('MLP').schema['x-version']),
      args: architectures.validate('MLP', { ...MLP, resolution: [...MLP.resolution], hidden: [...MLP.hidden] }) as Record<string, unknown>,
    },
    weights: WEIGHT_SHAPES.map(([name, shape], k) => fixed(name, shape, (i) => (((i * 7 + k * 13) % 17) - 8) / 16)),
    training: { epoch: 1, globalStep: 1, metrics: [{ epoch: 1, loss: 1.25 }], random: { seed: 12, counter: 2 } },
    // a constant, not tf.version: the fixtures must not change with the installed TF.js
    tfjsVersion: '4.22.0',
  };
}

/** The base bundles: `plain` (MLP with input.json) and `trained` (MLP, Adam slots, CosineAnnealingLR state; no input.json). */
export async function baseBundles(): Promise<{ plain: Uint8Array; trained: Uint8Array }> {
  const plain = await write({ ...baseParts(), input: inputContract({ resolution: [1, 4, 4], labels: ['zero', 'one', 'two'], dataset: 'synthetic' }) });
  const slots = WEIGHT_SHAPES.flatMap(([name, shape], k) => [
    fixed(`${name}/exp_avg`, shape, (i) => (((i * 3 + k) % 9) - 4) / 512),
    fixed(`${name}/exp_avg_sq`, shape, (i) => ((i * 5 + k * 3) % 11) / 1024),
  ]);
  const trained = await write({
    ...baseParts(),
    optimizer: { class: 'Adam', args: optimizers.validate('Adam', { learningRate: 0.01 }) as Record<string, unknown>, learningRate: COSINE_RATE, step: 1, tensors: slots },
    scheduler: {
      class: 'CosineAnnealingLR',
      args: schedulers.validate('CosineAnnealingLR', { tMax: 10 }) as Record<string, unknown>,
      state: { lastEpoch: 1, baseLr: 0.01, learningRate: COSINE_RATE },
    },
  });
  return { plain, trained };
}

type Entries = Map<string, Uint8Array>;

/** Edits a base's entries: a copy of them, edited, rebuilt with a manifest that matches (unless `fixManifest` is false). */
class Base {
  constructor(readonly bytes: Uint8Array, readonly entries: Entries) {}

  edited(edit: (e: Entries) => void, fixManifest = true): Uint8Array {
    const copy = new Map([...this.entries].map(([k, v]) => [k, Uint8Array.from(v)]));
    edit(copy);
    return rebuild(copy, { fixManifest });
  }

  json(name: string, edit: (value: any) => void): Uint8Array {
    return this.edited((e) => {
      const value = parseJson(e.get(name));
      edit(value);
      e.set(name, jsonBytes(value));
    });
  }

  /** The entry's text with `from` replaced by `to` (for what JSON.stringify cannot write). */
  text(name: string, from: string, to: string): Uint8Array {
    return this.raw(name, Buffer.from(Buffer.from(this.entries.get(name)!).toString('utf8').replace(from, to)));
  }

  raw(name: string, data: Uint8Array): Uint8Array {
    return this.edited((e) => void e.set(name, data));
  }

  /** The entries as hand-made tar entries, with `edit` applied to the list, as one tar. */
  list(edit: (list: CraftEntry[]) => void): Uint8Array {
    const list: CraftEntry[] = [...this.entries].map(([name, data]) => ({ name, data }));
    edit(list);
    return craftTar(list);
  }

  without(...names: string[]): Uint8Array {
    return this.list((l) => void l.splice(0, l.length, ...l.filter((e) => !names.includes(e.name))));
  }
}

type Case = [id: string, code: ErrorCode, what: string, bytes: Uint8Array];

/** Every case, in a stable order (the fixture index lists them so). */
export async function badBundles(): Promise<BadBundle[]> {
  const bases = await baseBundles();
  const p = new Base(bases.plain, await splitTar(bases.plain));
  const t = new Base(bases.trained, await splitTar(bases.trained));
  const read = (cases: Case[]): BadBundle[] => cases.map(([id, code, what, bytes]) => ({ id, code, stage: 'read', what, bytes }));
  const load = (cases: Case[]): BadBundle[] => cases.map(([id, code, what, bytes]) => ({ id, code, stage: 'load', what, bytes }));
  return [...read([...container(p), ...entries(p, t), ...json(p, t), ...classes(p, t), ...tables(p, t), ...checksums(p)]), ...load(loadCases(p, t))];
}

function container(p: Base): Case[] {
  const valid = p.bytes;
  const magic = (m: string) => p.list((l) => void (l[0] = { ...l[0]!, magic: m }));
  const headerChecksum = Uint8Array.from(valid);
  headerChecksum[10] = 0x41; // inside the first entry's name
  // arch.json's header is block 0; its size field (octal, bytes 124..135) tells where its padding starts
  const archSize = parseInt(Buffer.from(valid.subarray(124, 135)).toString('latin1'), 8);
  const padding = Uint8Array.from(valid);
  padding[512 + archSize] = 0x5a;
  const endMarker = Uint8Array.from(valid);
  endMarker[valid.length - 512 + 7] = 0x41;
  const type = (flag: string, linkname?: string) => p.list((l) => void l.splice(1, 0, { name: 'input.json', type: flag, linkname }));
  const path = (name: string) => p.list((l) => void (l[0] = { ...l[0]!, name }));
  const beforeArch = (extension: CraftEntry) => p.list((l) => void l.unshift(extension));
  // The header announces the entry's own bytes; `byte` follows them where the zero padding is.
  const paddedWith = (byte: string, entry: CraftEntry): CraftEntry => ({ ...entry, size: entry.data!.length, data: Buffer.concat([entry.data!, Buffer.from(byte)]) });
  const base256 = (size: number) => {
    const field = new Uint8Array(12);
    field[0] = 0x80;
    for (let i = 11, rest = size; i > 0; i--, rest = Math.floor(rest / 256)) field[i] = rest % 256;
    return field;
  };
  return [
    ['not-tar-json-text', 'E_NOT_TAR', 'JSON text, not a tar', Buffer.from('{"class":"MLP"}'.padEnd(2048, ' '))],
    ['not-tar-noise', 'E_NOT_TAR', 'bytes that are no tar header', Uint8Array.from({ length: 1536 }, (_, i) => (i * 131 + 7) % 251)],
    ['not-tar-empty', 'E_NOT_TAR', 'an empty file', new Uint8Array(0)],
    ['not-tar-magic-version', 'E_NOT_TAR', 'the ustar magic with version "01"', magic('ustar\u000001')],
    ['not-tar-magic-space', 'E_NOT_TAR', 'a magic that is neither ustar nor GNU ("ustar \\0 ")', magic('ustar \0 ')],
    ['not-tar-magic-gnu-without-nul', 'E_NOT_TAR', 'GNU\'s magic without its NUL ("ustar  0")', magic('ustar  0')],
    ['not-tar-header-checksum', 'E_NOT_TAR', 'a header whose checksum does not match (one byte of the name changed)', headerChecksum],
    ['not-tar-entry-padding', 'E_NOT_TAR', 'a non-zero byte in the zero padding after arch.json', padding],
    ['not-tar-pax-record', 'E_NOT_TAR', 'a pax record whose length has a leading zero', beforeArch({ name: 'PaxHeaders/arch.json', type: 'x', data: Buffer.from('016 path=arch.json\n') })],
    ['not-tar-pax-size', 'E_NOT_TAR', 'a pax size that disagrees with the header', beforeArch({ name: 'PaxHeaders/arch.json', type: 'x', data: paxData([['size', '1']]) })],
    ['not-tar-pax-padding', 'E_NOT_TAR', 'a non-zero byte in the padding after a pax header', beforeArch(paddedWith('x', { name: 'PaxHeaders/arch.json', type: 'x', data: paxData([['path', 'arch.json']]) }))],
    ['not-tar-long-name-padding', 'E_NOT_TAR', 'a non-zero byte in the padding after a GNU long name', beforeArch(paddedWith('L', { name: '././@LongLink', type: 'L', magic: GNU_MAGIC, data: Buffer.from('arch.json\0') }))],
    ['not-tar-long-name-nul', 'E_NOT_TAR', 'a GNU long name that does not end in one NUL', beforeArch({ name: '././@LongLink', type: 'L', magic: GNU_MAGIC, data: Buffer.from('arch.json') })],
    ['truncated-in-header', 'E_TRUNCATED', 'the file ends inside the first header', valid.subarray(0, 300)],
    ['truncated-in-entry', 'E_TRUNCATED', 'the file ends inside arch.json', valid.subarray(0, 512 + 100)],
    ['truncated-in-end-marker', 'E_TRUNCATED', 'the file ends after the first block of the end marker', valid.subarray(0, valid.length - 512)],
    ['truncated-before-end-marker', 'E_TRUNCATED', 'the file ends after the last entry, without an end marker', p.list(() => undefined).subarray(0, valid.length - 1024)],
    ['trailing-zeros-past-record', 'E_TRAILING_DATA', 'zeros past the 10240-byte record the end marker ends in', Buffer.concat([valid, new Uint8Array(10240 - (valid.length % 10240) + 512)])],
    ['trailing-byte', 'E_TRAILING_DATA', 'one byte after the end marker', Buffer.concat([valid, Buffer.from('x')])],
    ['trailing-in-end-marker', 'E_TRAILING_DATA', 'a non-zero byte in the second block of the end marker', endMarker],
    ['entry-type-hard-link', 'E_ENTRY_TYPE', 'a hard link to /etc/passwd', type('1', '/etc/passwd')],
    ['entry-type-symlink', 'E_ENTRY_TYPE', 'a symbolic link to /etc/passwd', type('2', '/etc/passwd')],
    ['entry-type-character-device', 'E_ENTRY_TYPE', 'a character device', type('3')],
    ['entry-type-block-device', 'E_ENTRY_TYPE', 'a block device', type('4')],
    ['entry-type-directory', 'E_ENTRY_TYPE', 'a directory', type('5')],
    ['entry-type-fifo', 'E_ENTRY_TYPE', 'a fifo', type('6')],
    ['entry-type-gnu-long-link', 'E_ENTRY_TYPE', 'a GNU long link', type('K')],
    ['entry-type-gnu-sparse', 'E_ENTRY_TYPE', 'a GNU sparse file', type('S')],
    ['entry-type-pax-global', 'E_ENTRY_TYPE', 'a pax global header', type('g')],
    ['entry-type-gnu-sparse-fields', 'E_ENTRY_TYPE', 'a GNU header with its multi-volume offset set', p.list((l) => void (l[0] = { ...l[0]!, magic: GNU_MAGIC, fields: { 369: '00000001000' } }))],
    ['entry-type-pax-key', 'E_ENTRY_TYPE', 'a pax header with the key linkpath', beforeArch({ name: 'PaxHeaders/arch.json', type: 'x', data: paxData([['linkpath', '/etc/passwd']]) })],
    ['entry-type-pax-dangling', 'E_ENTRY_TYPE', 'a pax header followed by the end marker', p.list((l) => void l.push({ name: 'PaxHeaders/x', type: 'x', data: paxData([['mtime', '0']]) }))],
    ['entry-path-absolute', 'E_ENTRY_PATH', 'an absolute path', path('/etc/arch.json')],
    ['entry-path-parent', 'E_ENTRY_PATH', 'a path with ".."', path('../arch.json')],
    ['entry-path-nested-parent', 'E_ENTRY_PATH', 'a path climbing out of a folder', path('a/../../arch.json')],
    ['entry-path-backslash', 'E_ENTRY_PATH', 'a path with a backslash', path('dir\\arch.json')],
    ['entry-path-folder', 'E_ENTRY_PATH', 'a path in a folder', path('sub/arch.json')],
    ['entry-path-prefix', 'E_ENTRY_PATH', 'a folder in the ustar prefix field', p.list((l) => void (l[0] = { ...l[0]!, fields: { 345: 'sub' } }))],
    ['entry-path-non-ascii', 'E_ENTRY_PATH', 'a name with a non-ASCII byte', path('arch\u00e9.json')],
    ['entry-path-space', 'E_ENTRY_PATH', 'a name with a space', path('arch .json')],
    ['entry-path-control', 'E_ENTRY_PATH', 'a name with a control character', path('arch\u0001.json')],
    ['entry-path-pax', 'E_ENTRY_PATH', 'a pax path with ".."', beforeArch({ name: 'PaxHeaders/arch.json', type: 'x', data: paxData([['path', '../arch.json']]) })],
    ['entry-path-pax-other-name', 'E_ENTRY_PATH', 'a pax path that is not the header\'s name', beforeArch({ name: 'PaxHeaders/arch.json', type: 'x', data: paxData([['path', 'input.json']]) })],
    ['entry-path-long-name', 'E_ENTRY_PATH', 'a GNU long name with ".."', beforeArch({ name: '././@LongLink', type: 'L', magic: GNU_MAGIC, data: Buffer.from('../arch.json\0') })],
    ['entry-too-large-header-claim', 'E_ENTRY_TOO_LARGE', 'arch.json\'s header claims 8 GiB - 1 bytes (the JSON cap is 16 MiB)', p.list((l) => void (l[0] = { ...l[0]!, size: 8 * 1024 ** 3 - 1 }))],
    ['entry-too-large-bin-claim', 'E_ENTRY_TOO_LARGE', 'weights.bin\'s base-256 header claims 128 GiB (the .bin cap is 64 GiB)', p.list((l) => void (l[3] = { ...l[3]!, sizeField: base256(128 * 1024 ** 3) }))],
    ['entry-too-large-pax', 'E_ENTRY_TOO_LARGE', 'a pax header over 64 KiB', beforeArch({ name: 'PaxHeaders/arch.json', type: 'x', data: paxData([['uname', 'u'.repeat(64 * 1024)]]) })],
  ];
}

function entries(p: Base, t: Base): Case[] {
  return [
    ['entry-unknown', 'E_ENTRY_UNKNOWN', 'an entry the format does not have (payload.pkl)', p.list((l) => void l.splice(2, 0, { name: 'payload.pkl', data: Buffer.from('cos\nsystem\n') }))],
    ['entry-unknown-input-in-format-1', 'E_ENTRY_UNKNOWN', 'input.json in a bundle that declares format version 1', p.edited((e) => {
      for (const name of ['arch.json', 'manifest.json']) e.set(name, jsonBytes({ ...parseJson(e.get(name)), formatVersion: 1 }));
    })],
    ['entry-duplicate', 'E_ENTRY_DUPLICATE', 'arch.json twice', p.list((l) => void l.splice(1, 0, { ...l[0]! }))],
    ['entry-missing-training', 'E_ENTRY_MISSING', 'no training.json', p.without('training.json')],
    ['entry-missing-manifest', 'E_ENTRY_MISSING', 'no manifest.json', p.without('manifest.json')],
    ['entry-missing-weights-table', 'E_ENTRY_MISSING', 'weights.bin without weights.json before it', p.without('weights.json')],
    ['entry-missing-weights-bin', 'E_ENTRY_MISSING', 'no weights.bin', p.edited((e) => void e.delete('weights.bin'))],
    ['entry-missing-arch', 'E_ENTRY_MISSING', 'input.json and the tensor tables without arch.json before them', p.edited((e) => void e.delete('arch.json'))],
    ['entry-missing-optimizer-bin', 'E_ENTRY_MISSING', 'optimizer.json without optimizer.bin', t.edited((e) => void e.delete('optimizer.bin'))],
    ['entry-missing-optimizer', 'E_ENTRY_MISSING', 'scheduler.json without an optimizer', t.edited((e) => {
      e.delete('optimizer.json');
      e.delete('optimizer.bin');
    })],
    ['entry-order-after-manifest', 'E_ENTRY_ORDER', 'training.json after manifest.json', p.list((l) => void l.push(...l.splice(l.length - 2, 1)))],
    ['entry-order-input-after-weights', 'E_ENTRY_ORDER', 'input.json after weights.json', p.list((l) => void ([l[1], l[2]] = [l[2]!, l[1]!]))],
  ];
}

function json(p: Base, t: Base): Case[] {
  const arch = (from: string, to: string) => p.text('arch.json', from, to);
  const training = (text: string) => p.raw('training.json', Buffer.from(text));
  return [
    ['json-syntax-unfinished', 'E_JSON_SYNTAX', 'training.json ends inside an object', training('{"epoch": 1,')],
    ['json-syntax-utf8', 'E_JSON_SYNTAX', 'training.json is not UTF-8 (a 0xff byte)', p.raw('training.json', Uint8Array.from([0x7b, 0xff, 0x7d]))],
    ['json-syntax-text-after', 'E_JSON_SYNTAX', 'training.json holds a second value after the first', training('{} {}')],
    ['json-syntax-nan', 'E_JSON_SYNTAX', 'training.json holds NaN, which is not JSON', training('{"epoch": NaN}')],
    ['json-syntax-number-range', 'E_JSON_SYNTAX', 'a number too large to be finite (1e400)', t.text('scheduler.json', '"baseLr": 0.01', '"baseLr": 1e400')],
    ['json-syntax-integer-range', 'E_JSON_SYNTAX', 'an integer of 400 digits, too large to be finite', arch('"classes": 3', `"classes": ${'9'.repeat(400)}`)],
    ['json-depth-array', 'E_JSON_DEPTH', 'training.json nests 100 arrays', training('['.repeat(100) + ']'.repeat(100))],
    ['json-depth-object', 'E_JSON_DEPTH', 'arch.json nests 70 objects', p.raw('arch.json', Buffer.from('{"a":'.repeat(70) + '1' + '}'.repeat(70)))],
    ['json-duplicate-key', 'E_JSON_DUPLICATE_KEY', 'training.json has the key "epoch" twice', training('{"epoch": 1, "epoch": 2}')],
    ['json-duplicate-key-escaped', 'E_JSON_DUPLICATE_KEY', 'training.json has "epoch" twice, once spelled with a \\u escape', training('{"epoch": 1, "\\u0065poch": 2}')],
    ['json-forbidden-proto', 'E_JSON_FORBIDDEN_KEY', 'arch.json args hold the key __proto__', arch('"args": {', '"args": {"__proto__": {"polluted": true},')],
    ['json-forbidden-proto-escaped', 'E_JSON_FORBIDDEN_KEY', 'arch.json args hold __proto__ spelled with a \\u escape', arch('"args": {', '"args": {"\\u005f_proto__": 1,')],
    ['json-forbidden-constructor', 'E_JSON_FORBIDDEN_KEY', 'arch.json args hold the key constructor', arch('"args": {', '"args": {"constructor": 1,')],
    ['json-forbidden-prototype', 'E_JSON_FORBIDDEN_KEY', 'training.json holds the key prototype', training('{"prototype": 1}')],
    // Several faults in one document: the first in reading order decides, in every reader.
    ['json-first-fault-duplicate', 'E_JSON_DUPLICATE_KEY', 'a duplicate key, then a syntax error', training('{"epoch": 1, "epoch": 2, x')],
    ['json-first-fault-forbidden', 'E_JSON_FORBIDDEN_KEY', 'a __proto__ key in a document that never ends', training('{"__proto__": 1')],
    ['json-first-fault-syntax', 'E_JSON_SYNTAX', 'a syntax error, then arrays nested 70 deep', training('{"epoch": x, "metrics": ' + '['.repeat(70) + ']'.repeat(70) + '}')],
    ['json-first-fault-outer-duplicate', 'E_JSON_DUPLICATE_KEY', 'a duplicate key whose value holds a __proto__ key', training('{"epoch": 1, "epoch": {"__proto__": 1}}')],
    ['json-schema-training', 'E_JSON_SCHEMA', 'training.json epoch is -1', p.json('training.json', (v) => void (v.epoch = -1))],
    ['json-schema-manifest', 'E_JSON_SCHEMA', 'manifest.json has a property its schema does not declare', p.json('manifest.json', (m) => void (m.extra = 1))],
    ['json-schema-arch', 'E_JSON_SCHEMA', 'arch.json lacks schemaVersion', p.json('arch.json', (a) => void delete a.schemaVersion)],
    ['json-schema-arch-format-0', 'E_JSON_SCHEMA', 'arch.json formatVersion 0 (below the schema\'s minimum, not a newer version)', p.json('arch.json', (a) => void (a.formatVersion = 0))],
    ['json-schema-input', 'E_JSON_SCHEMA', 'input.json layout "NCHW"', p.json('input.json', (c) => void (c.layout = 'NCHW'))],
    ['json-schema-scheduler', 'E_JSON_SCHEMA', 'scheduler.json without state', t.json('scheduler.json', (s) => void delete s.state)],
    ['json-schema-arch-no-format-version', 'E_JSON_SCHEMA', 'arch.json without formatVersion', p.json('arch.json', (a) => void delete a.formatVersion)],
    ['format-version-arch-newer', 'E_FORMAT_VERSION', 'arch.json declares format version 3', p.json('arch.json', (a) => void (a.formatVersion = 3))],
    ['format-version-disagree', 'E_FORMAT_VERSION', 'arch.json says 1, manifest.json 2 (and there is no input.json)', p.edited((e) => {
      e.delete('input.json');
      e.set('arch.json', jsonBytes({ ...parseJson(e.get('arch.json')), formatVersion: 1 }));
    })],
    ['format-version-manifest-newer', 'E_FORMAT_VERSION', 'manifest.json declares format version 99', p.json('manifest.json', (m) => void (m.formatVersion = 99))],
    ['format-version-foreign', 'E_FORMAT_VERSION', 'manifest.json names the format "safetensors"', p.json('manifest.json', (m) => void (m.format = 'safetensors'))],
    ['format-version-manifest-not-object', 'E_FORMAT_VERSION', 'manifest.json is an array, so it names no format (checked before the schema)', p.raw('manifest.json', Buffer.from('[]'))],
  ];
}

function classes(p: Base, t: Base): Case[] {
  return [
    ['unknown-class-architecture', 'E_UNKNOWN_CLASS', 'arch.json names the class "os_system"', p.json('arch.json', (a) => void (a.class = 'os_system'))],
    ['unknown-class-optimizer', 'E_UNKNOWN_CLASS', 'optimizer.json names the class "Pickle"', t.json('optimizer.json', (o) => void (o.class = 'Pickle'))],
    ['unknown-class-scheduler', 'E_UNKNOWN_CLASS', 'scheduler.json names the class "Pickle"', t.json('scheduler.json', (s) => void (s.class = 'Pickle'))],
    ['schema-version-newer', 'E_SCHEMA_VERSION', 'arch.json schemaVersion 7, newer than MLP\'s schema', p.json('arch.json', (a) => void (a.schemaVersion = 7))],
    ['schema-version-schema-id', 'E_SCHEMA_VERSION', 'arch.json schemaId of another class', p.json('arch.json', (a) => void (a.schemaId = 'urn:archbundle:architecture:LeNet'))],
    ['invalid-args-architecture', 'E_INVALID_ARGS', 'MLP classes 0', p.json('arch.json', (a) => void (a.args.classes = 0))],
    ['invalid-args-architecture-incomplete', 'E_INVALID_ARGS', 'MLP arguments without hidden (stored arguments are never defaulted)', p.json('arch.json', (a) => void delete a.args.hidden)],
    ['invalid-args-architecture-unknown', 'E_INVALID_ARGS', 'MLP arguments with one the schema does not declare', p.json('arch.json', (a) => void (a.args.layers = 2))],
    ['invalid-args-architecture-check', 'E_INVALID_ARGS', 'MLP whitening of 2 channels for a 1-channel input (a check beyond the schema)', p.json('arch.json', (a) => void (a.args.whitening = { mean: [0.5, 0.5], std: [0.25, 0.25] }))],
    ['invalid-args-optimizer', 'E_INVALID_ARGS', 'Adam beta1 7', t.json('optimizer.json', (o) => void (o.args.beta1 = 7))],
    ['invalid-args-scheduler', 'E_INVALID_ARGS', 'CosineAnnealingLR tMax 0', t.json('scheduler.json', (s) => void (s.args.tMax = 0))],
    ['invalid-args-optimizer-check', 'E_INVALID_ARGS', 'SGD with Nesterov momentum but momentum 0 (a check beyond the schema)', t.json('optimizer.json', (o) => {
      o.class = 'SGD';
      o.args = { ...optimizers.validate('SGD', { learningRate: 0.01 }), momentum: 0, nesterov: true };
    })],
    ['invalid-args-scheduler-inner-class', 'E_INVALID_ARGS', 'LinearWarmup around an inner scheduler "Pickle"', t.json('scheduler.json', (s) => {
      s.class = 'LinearWarmup';
      s.args = { ...schedulers.validate('LinearWarmup', { warmupEpochs: 2 }), scheduler: { class: 'Pickle', args: {} } };
    })],
    ['invalid-args-scheduler-inner-args', 'E_INVALID_ARGS', 'LinearWarmup around CosineAnnealingLR with tMax 0', t.json('scheduler.json', (s) => {
      s.class = 'LinearWarmup';
      s.args = { ...schedulers.validate('LinearWarmup', { warmupEpochs: 2 }), scheduler: { class: 'CosineAnnealingLR', args: { tMax: 0 } } };
    })],
    ['input-mismatch-labels', 'E_INPUT_MISMATCH', 'input.json has 2 labels for 3 classes', p.json('input.json', (c) => void c.labels.pop())],
    ['input-mismatch-shape', 'E_INPUT_MISMATCH', 'input.json shape [4, 4, 3] for a [1, 4, 4] resolution', p.json('input.json', (c) => void (c.shape = [4, 4, 3]))],
  ];
}

function tables(p: Base, t: Base): Case[] {
  const table = (edit: (tensors: any[]) => void) => p.json('weights.json', (w) => edit(w.tensors));
  const bin = (edit: (bytes: Uint8Array) => Uint8Array) => p.edited((e) => void e.set('weights.bin', edit(e.get('weights.bin')!)));
  return [
    ['tensor-table-overlap', 'E_TENSOR_TABLE', 'two tensors at offset 0', table((l) => void (l[1].byteOffset = 0))],
    ['tensor-table-gap', 'E_TENSOR_TABLE', 'a gap of 64 bytes between tensors', table((l) => void (l[1].byteOffset += 64))],
    ['tensor-table-misaligned', 'E_TENSOR_TABLE', 'an offset that is no multiple of 64', table((l) => void (l[1].byteOffset += 4))],
    ['tensor-table-dtype', 'E_TENSOR_TABLE', 'the dtype float16', table((l) => void (l[0].dtype = 'float16'))],
    ['tensor-table-shape-overflow', 'E_TENSOR_TABLE', 'a shape of 2^80 elements', table((l) => void (l[0].shape = [2 ** 40, 2 ** 40]))],
    ['tensor-table-byte-length', 'E_TENSOR_TABLE', 'a byte length 4 short of the shape\'s', table((l) => void (l[0].byteLength -= 4))],
    ['tensor-table-duplicate-name', 'E_TENSOR_TABLE', 'two tensors named fc1/kernel', table((l) => void (l[1].name = l[0].name))],
    ['tensor-table-negative-dimension', 'E_TENSOR_TABLE', 'a dimension of -1', table((l) => void (l[0].shape = [-1, 5]))],
    ['tensor-table-rank', 'E_TENSOR_TABLE', 'a shape of 9 dimensions (the cap is 8)', table((l) => void (l[0].shape = [1, 1, 1, 1, 1, 1, 1, 16, 5]))],
    ['tensor-table-empty-name', 'E_TENSOR_TABLE', 'a tensor named ""', table((l) => void (l[0].name = ''))],
    ['tensor-table-offset-type', 'E_TENSOR_TABLE', 'a byte offset of 0.5', table((l) => void (l[0].byteOffset = 0.5))],
    ['tensor-table-out-of-range', 'E_TENSOR_TABLE', 'weights.bin 4 bytes shorter than the table needs', bin((b) => b.subarray(0, b.length - 4))],
    ['tensor-table-uncovered-bytes', 'E_TENSOR_TABLE', '8 bytes no tensor covers at the end of weights.bin', bin((b) => Buffer.concat([b, new Uint8Array(8)]))],
    ['tensor-table-padding', 'E_TENSOR_TABLE', 'a non-zero padding byte after fc1/bias', bin((b) => {
      b[320 + 20] = 0xff; // fc1/bias ends at 340; logits/kernel starts at 384
      return b;
    })],
    ['tensor-table-not-array', 'E_TENSOR_TABLE', 'weights.json tensors is 0 (the table is checked before its schema)', p.json('weights.json', (w) => void (w.tensors = 0))],
    ['tensor-table-missing-offset', 'E_TENSOR_TABLE', 'a tensor without byteOffset', table((l) => void delete l[2].byteOffset)],
    ['tensor-table-optimizer', 'E_TENSOR_TABLE', 'optimizer.json with two slots at offset 0', t.json('optimizer.json', (o) => void (o.tensors[1].byteOffset = 0))],
    ['entry-too-large-table', 'E_ENTRY_TOO_LARGE', 'a table whose tensors need 4 TiB (more than the .bin cap)', table((l) => {
      l[3].shape = [2 ** 40];
      l[3].byteLength = 2 ** 42;
    })],
  ];
}

function checksums(p: Base): Case[] {
  return [
    ['checksum-flipped-byte', 'E_CHECKSUM', 'one weight byte flipped after the manifest was written', p.edited((e) => void (e.get('weights.bin')![7]! ^= 0x01), false)],
    ['checksum-size', 'E_CHECKSUM', 'manifest.json gives training.json another size', p.edited((e) => {
      const m = parseJson(e.get('manifest.json'));
      m.entries.find((x: { name: string }) => x.name === 'training.json').size += 1;
      e.set('manifest.json', jsonBytes(m));
    }, false)],
    ['checksum-entries', 'E_CHECKSUM', 'manifest.json does not list training.json', p.edited((e) => {
      const m = parseJson(e.get('manifest.json'));
      m.entries.pop();
      e.set('manifest.json', jsonBytes(m));
    }, false)],
  ];
}

function loadCases(p: Base, t: Base): Case[] {
  const slot = (name: string, edit: (record: any) => void) => t.json('optimizer.json', (o) => edit(o.tensors.find((r: { name: string }) => r.name === name)));
  return [
    ['weights-mismatch', 'E_WEIGHTS_MISMATCH', 'fc1/kernel missing, fc9/kernel unexpected, fc1/bias of shape [1, 5]', p.json('weights.json', (w) => {
      w.tensors[0].name = 'fc9/kernel';
      w.tensors[1].shape = [1, 5];
    })],
    ['weights-mismatch-shape', 'E_WEIGHTS_MISMATCH', 'logits/kernel of shape [3, 5] instead of [5, 3]', p.json('weights.json', (w) => void (w.tensors[2].shape = [3, 5]))],
    ['state-mismatch-slot-name', 'E_STATE_MISMATCH', 'an Adam slot of a weight the model lacks (fc9/kernel/exp_avg)', slot('fc1/kernel/exp_avg', (r) => void (r.name = 'fc9/kernel/exp_avg'))],
    ['state-mismatch-slot-shape', 'E_STATE_MISMATCH', 'the Adam slot fc1/bias/exp_avg of shape [1, 5]', slot('fc1/bias/exp_avg', (r) => void (r.shape = [1, 5]))],
    ['state-mismatch-scheduler', 'E_STATE_MISMATCH', 'CosineAnnealingLR state {"nonsense": true}', t.json('scheduler.json', (s) => void (s.state = { nonsense: true }))],
  ];
}

/** Where `npm run fixtures:bad-bundles` writes the catalog, relative to the repository. */
export const FIXTURE_FOLDER = 'test/fixtures/bad-bundles';

/** The fixture folder's files (name → bytes): each case as `<id>.bundle`, and `index.json` listing them. */
export function fixtureFiles(cases: readonly BadBundle[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const c of cases) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c.id)) throw new Error(`bad-bundle id "${c.id}" is not kebab-case`);
    if (files.has(`${c.id}.bundle`)) throw new Error(`bad-bundle id "${c.id}" is used twice`);
    files.set(`${c.id}.bundle`, c.bytes);
  }
  const index = {
    $comment: 'Generated by npm run fixtures:bad-bundles from test/helpers/bad-bundles.ts. DO NOT EDIT.',
    cases: cases.map(({ id, code, stage, what }) => ({ id, code, stage, what, file: `${id}.bundle` })),
  };
  files.set('index.json', Buffer.from(`${JSON.stringify(index, null, 2)}\n`));
  return files;
}

/**
 * State.load refuses the bundle with `code`, read from `file` (which holds `bytes`: read at
 * offsets, several reads in flight) and streamed from `bytes`, with the same message both ways,
 * and leaves no tensor allocated. TF.js is imported here, not above, so that the catalog and the
 * fixture script stay free of it.
 */
export async function expectLoadRefused(bytes: Uint8Array, file: string, code: string, options: LoadOptions = {}): Promise<ArchbundleError> {
  const fromFile = await loadRefused(file, code, options);
  const fromBytes = await loadRefused(bytes, code, options);
  if (fromFile.message !== fromBytes.message) {
    throw new Error(`a file and its bytes must fail alike: "${fromFile.message}" from the file, "${fromBytes.message}" from bytes`);
  }
  return fromBytes;
}

async function loadRefused(source: Uint8Array | string, code: string, options: LoadOptions): Promise<ArchbundleError> {
  const tf = await import('@tensorflow/tfjs');
  const { ArchbundleError: CodedError, State } = await import('../../src/index.js');
  const tensorsBefore = tf.memory().numTensors;
  let caught: unknown;
  try {
    const state = await State.load(source, options);
    state.model.dispose();
    state.optimizer?.dispose();
  } catch (error) {
    caught = error;
  }
  const from = typeof source === 'string' ? 'from a file' : 'from bytes';
  if (!(caught instanceof CodedError)) assert.fail(`expected ArchbundleError ${code} ${from}, received ${String(caught)}`);
  assert.equal(caught.code, code, `${from}: ${caught.message}`);
  assert.equal(tf.memory().numTensors, tensorsBefore, `no tensor stays allocated (${from})`);
  return caught;
}

/**
 * `count` bundles made by random damage to the bases, from a seed (the same seed gives the same
 * bundles): text edits of a JSON entry, edited JSON values, flipped bytes, cut or lengthened
 * files, header bytes with the checksum made right, extension headers. Many are refused, some
 * are not; every reader must say the same of each, which test/bad-bundles.test.ts checks.
 */
export async function mutants(seed: number, count: number): Promise<Uint8Array[]> {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const bases = await baseBundles();
  const sets = [await splitTar(bases.plain), await splitTar(bases.trained)];
  const values: unknown[] = [-1, 0, 0.5, 1, 3, 64, 2 ** 53, 'x', '', null, [], [1, 2], {}, true, 1e300, 'float16', [2 ** 40, 2 ** 40]];
  const edit = (value: any, depth = 0): any => {
    if (!value || typeof value !== 'object' || depth > 3 || random() < 0.2) return structuredClone(pick(values));
    const keys = Object.keys(value);
    if (keys.length === 0) return value;
    const key = pick(keys);
    if (random() < 0.1 && !Array.isArray(value)) delete value[key];
    else value[key] = edit(value[key], depth + 1);
    return value;
  };
  const out: Uint8Array[] = [];
  while (out.length < count) {
    const entries: Entries = new Map([...pick(sets)].map(([k, v]) => [k, Uint8Array.from(v)]));
    const jsonNames = [...entries.keys()].filter((k) => k.endsWith('.json'));
    const bytes = rebuild(entries);
    const kind = Math.floor(random() * 6);
    if (kind === 0) {
      const name = pick(jsonNames.filter((n) => n !== 'manifest.json'));
      let text = Buffer.from(entries.get(name)!).toString('utf8');
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const at = Math.floor(random() * text.length);
        text = text.slice(0, at) + pick(['', ...'{}[]",:019eE-.\\utnx_\n\u00e9']) + text.slice(at + (random() < 0.5 ? 1 : 0));
      }
      entries.set(name, Buffer.from(text));
      out.push(rebuild(entries));
    } else if (kind === 1) {
      const name = pick(jsonNames);
      entries.set(name, jsonBytes(edit(parseJson(entries.get(name)))));
      out.push(rebuild(entries, { fixManifest: name !== 'manifest.json' }));
    } else if (kind === 2) {
      for (let n = 1 + Math.floor(random() * 2); n > 0; n--) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      out.push(bytes);
    } else if (kind === 3) {
      out.push(random() < 0.5 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : Buffer.concat([bytes, new Uint8Array(Math.floor(random() * 12000))]));
    } else if (kind === 4) {
      const headers: number[] = [];
      let at = 0;
      for (const data of entries.values()) {
        headers.push(at);
        at += 512 + Math.ceil(data.length / 512) * 512;
      }
      const block = pick(headers);
      const offset = pick([...Array(512).keys()].filter((i) => i < 148 || i >= 156));
      bytes[block + offset] = random() < 0.5 ? Math.floor(random() * 256) : pick([0, 0x20, 0x30, 0x37, 0x2f, 0x2e, 0x78, 0x4c, 0x80]);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : bytes[block + i]!;
      bytes.set(Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'latin1'), block + 148);
      out.push(bytes);
    } else {
      const list: CraftEntry[] = [...entries].map(([name, data]) => ({ name, data }));
      const i = Math.floor(random() * list.length);
      const { name, data } = list[i]! as { name: string; data: Uint8Array };
      if (random() < 0.7) {
        const value = () => pick([name, '../x', String(data.length), '1', '-1.5', 'abc', '', `0${data.length}`, '1e3', 'x\u0001']);
        const records = paxData(Array.from({ length: 1 + Math.floor(random() * 3) }, () => [pick(['path', 'size', 'mtime', 'uid', 'uname', 'linkpath', 'hdrcharset']), value()]));
        if (random() < 0.3) records[Math.floor(random() * records.length)] = pick([0x30, 0x20, 0x0a, 0x3d, 0x41]);
        list.splice(i, 0, { name: 'PaxHeaders/x', type: pick(['x', 'x', 'g']), data: records });
      } else {
        list.splice(i, 0, { name: '././@LongLink', type: 'L', magic: GNU_MAGIC, data: Buffer.from(pick([`${name}\0`, name, 'a\0b\0', `../${name}\0`, '.\0'])) });
      }
      out.push(craftTar(list));
    }
  }
  return out;
}
