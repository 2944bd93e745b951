/**
 * safetensors both ways (src/core/safetensors/): our writer and reader agree bit for bit; a
 * second implementation in Python (torch, no safetensors package) reads our files and writes
 * files laid out as the official library does, which we read; every class of hostile file fails
 * with its code, and random damage never gives anything else than a code or a valid result.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { tempDir } from './helpers/tempdir.js';
import { concat, craft, decodeValues, entry, expectRefused } from './helpers/safetensors-craft.js';
import {
  ArchbundleError,
  ForeignFormatError,
  readSafetensors,
  SAFETENSORS_DTYPE_BITS,
  ValidationError,
  writeSafetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from '../src/core/index.js';

const PYTHON = '/usr/bin/python3';
const HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'safetensors_torch.py');
const folder = tempDir('archbundle-safetensors-');

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const write = (tensors: SafetensorsTensor[], metadata?: Record<string, string>) => concat(writeSafetensors(tensors, metadata));

/** A small valid file: a F32 [2] (bytes 0..8) then a U8 [3] (8..11). */
const twoTensors = () => ({ a: entry('F32', [2], [0, 8]), b: entry('U8', [3], [8, 11]) });

describe('writing and reading back', () => {
  const dtypes = Object.keys(SAFETENSORS_DTYPE_BITS) as SafetensorsDtype[];
  const text = fc.string({ unit: 'binary', maxLength: 12 });
  const key = text.filter((s) => !['__proto__', 'constructor', 'prototype'].includes(s));
  const tensor = fc
    .record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(fc.nat({ max: 4 }), { maxLength: 4 }) })
    .filter(({ dtype, shape }) => (shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BITS[dtype]) % 8 === 0)
    .chain(({ dtype, shape }) => {
      const length = (shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPE_BITS[dtype]) / 8;
      return fc.uint8Array({ minLength: length, maxLength: length }).map((bytes) => ({ dtype, shape, bytes }));
    });
  const tensors = fc
    .uniqueArray(fc.tuple(key.filter((s) => s !== '' && s !== '__metadata__'), tensor), { selector: ([name]) => name, maxLength: 8 })
    .map((list) => list.map(([name, t]) => ({ name, ...t })));
  const metadata = fc.option(fc.dictionary(key, text, { maxKeys: 4 }), { nil: undefined });

  it('gives the same tensors bit for bit, for any names, dtypes, shapes, bytes and metadata', () => {
    fc.assert(
      fc.property(tensors, metadata, (given, meta) => {
        const file = write(given, meta);
        const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
        assert.equal((8 + headerLength) % 8, 0, 'the data buffer starts 8-byte aligned');
        assert.deepEqual(file, write(given, meta), 'the same input gives the same bytes');
        const read = readSafetensors(file);
        assert.deepEqual(read.metadata, meta === undefined ? null : { ...meta });
        const byName = (list: SafetensorsTensor[]) => [...list].sort((x, y) => (x.name < y.name ? -1 : 1)).map((t) => ({ ...t, shape: [...t.shape], bytes: hex(t.bytes) }));
        assert.deepEqual(byName(read.tensors), byName(given));
        // Offset order is the given order; only empty tensors sharing an offset are put in name order.
        const nonEmpty = (list: SafetensorsTensor[]) => list.filter((t) => t.bytes.byteLength > 0).map((t) => t.name);
        assert.deepEqual(nonEmpty(read.tensors), nonEmpty(given));
      }),
      { numRuns: 300, seed: 10 },
    );
  });

  it('reads tensors as views of the file, without copying', () => {
    const file = write([
      { name: 'w', dtype: 'F32', shape: [2], bytes: bytesOf(new Float32Array([1, 2])) },
      { name: 'b', dtype: 'U8', shape: [1], bytes: Uint8Array.of(7) },
    ]);
    const [w, b] = readSafetensors(file).tensors;
    assert.equal(w!.bytes.buffer, file.buffer);
    assert.equal(b!.bytes.buffer, file.buffer);
    assert.equal(b!.bytes.byteOffset, w!.bytes.byteOffset + 8);
    file[w!.bytes.byteOffset] = 0xaa;
    assert.equal(w!.bytes[0], 0xaa, 'a view sees the file change');
  });

  it('writes the safetensors crate\'s own serialization test vector byte for byte', () => {
    // The Rust crate's test_serialization: one F32 [1, 2, 3] "attn.0" holding 0..5; a 64-byte header.
    const out = write([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], bytes: bytesOf(new Float32Array([0, 1, 2, 3, 4, 5])) }]);
    const expected = concat([
      Uint8Array.of(64, 0, 0, 0, 0, 0, 0, 0),
      Buffer.from('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}'),
      bytesOf(new Float32Array([0, 1, 2, 3, 4, 5])),
    ]);
    assert.equal(hex(out), hex(expected));
  });

  it('puts __metadata__ first with sorted keys, keeps the tensors in the given order, pads the header with spaces', () => {
    const chunks = writeSafetensors(
      [
        { name: '10', dtype: 'U8', shape: [1], bytes: Uint8Array.of(1) },
        { name: '2', dtype: 'U8', shape: [], bytes: Uint8Array.of(2) },
        { name: 'e', dtype: 'F32', shape: [0], bytes: new Uint8Array(0) },
      ],
      { b: 'x', a: 'y' },
    );
    const header = Buffer.from(chunks[0]!.subarray(8)).toString('utf8');
    const json = '{"__metadata__":{"a":"y","b":"x"},"10":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"2":{"dtype":"U8","shape":[],"data_offsets":[1,2]},"e":{"dtype":"F32","shape":[0],"data_offsets":[2,2]}}';
    assert.equal(header, json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
    assert.equal(chunks.length, 3, 'a chunk per non-empty tensor');
    assert.deepEqual(concat(writeSafetensors([], { a: 'y', b: 'x' })), concat(writeSafetensors([], { b: 'x', a: 'y' })));
  });

  it('hands the tensors\' own bytes out as chunks', () => {
    const bytes = Uint8Array.of(1, 2, 3);
    assert.equal(writeSafetensors([{ name: 'x', dtype: 'I8', shape: [3], bytes }])[1], bytes);
  });

  it('tells "no metadata" (null) from empty metadata ({})', () => {
    assert.equal(readSafetensors(write([])).metadata, null);
    assert.deepEqual(readSafetensors(write([], {})).metadata, {});
    assert.equal(readSafetensors(write([])).tensors.length, 0);
  });

  it('accepts what the crate accepts: JSON whitespace around the header, any key order, empty and scalar tensors, sub-byte dtypes', () => {
    // Padding before and after, as in the crate's tests of padded headers (its length not a multiple of 8).
    const padded = readSafetensors(craft(`\t\n ${JSON.stringify(twoTensors())}\r\n \t`, 11));
    assert.deepEqual(padded.tensors.map((t) => t.name), ['a', 'b']);
    const shuffled = readSafetensors(craft({ b: entry('U8', [3], [8, 11]), s: entry('I16', [], [11, 13]), a: entry('F32', [2], [0, 8]) }, 13));
    assert.deepEqual(shuffled.tensors.map((t) => [t.name, t.bytes.byteLength]), [['a', 8], ['b', 3], ['s', 2]], 'in offset order');
    const empties = readSafetensors(craft({ z: entry('I32', [2, 0], [0, 0]), y: entry('F32', [0], [0, 0]), x: entry('U8', [1], [0, 1]) }, 1));
    assert.deepEqual(empties.tensors.map((t) => t.name), ['y', 'z', 'x'], 'empty tensors first at their offset, by name');
    const nibbles = readSafetensors(craft({ f4: entry('F4', [2, 3], [0, 3]) }, 3));
    assert.equal(nibbles.tensors[0]!.bytes.byteLength, 3);
  });
});

describe('the same files in PyTorch (a Python reader and writer of the format)', () => {
  const python = (command: 'read' | 'write', file: string) => {
    const run = spawnSync(PYTHON, [HELPER, command, file], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${PYTHON} ${command} failed (PyTorch is needed): ${run.stderr}${run.error ?? ''}`);
    return JSON.parse(run.stdout) as { metadata: Record<string, string> | null; tensors: { name: string; dtype: string; torch: string; shape: number[]; values: unknown[]; hex: string }[] };
  };

  it('torch loads our file: same names, dtypes, shapes and values', () => {
    const ours: SafetensorsTensor[] = [
      { name: 'mask', dtype: 'BOOL', shape: [3], bytes: Uint8Array.of(1, 0, 1) },
      { name: 'conv1.weight', dtype: 'F32', shape: [2, 1, 2], bytes: bytesOf(new Float32Array([0.5, -1.25, 3, 1e-7])) },
      { name: 'ünï/cødé', dtype: 'F64', shape: [2], bytes: bytesOf(new Float64Array([Math.PI, -0])) },
      { name: 'half', dtype: 'F16', shape: [2], bytes: bytesOf(new Uint16Array([0x3c00, 0xc000])) },
      { name: 'brain', dtype: 'BF16', shape: [2, 1], bytes: bytesOf(new Uint16Array([0x3f80, 0xc040])) },
      { name: 'steps', dtype: 'I64', shape: [2], bytes: bytesOf(new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n])) },
      { name: 'labels', dtype: 'I32', shape: [], bytes: bytesOf(new Int32Array([-7])) },
      { name: 'short', dtype: 'I16', shape: [1], bytes: bytesOf(new Int16Array([-300])) },
      { name: 'tiny', dtype: 'I8', shape: [2], bytes: bytesOf(new Int8Array([-128, 5])) },
      { name: 'pixels', dtype: 'U8', shape: [1, 2], bytes: Uint8Array.of(0, 255) },
      { name: 'empty', dtype: 'F32', shape: [0, 4], bytes: new Uint8Array(0) },
    ];
    const file = path.join(folder, 'ours.safetensors');
    writeFileSync(file, write(ours, { format: 'pt', source: 'archbundle' }));
    const out = python('read', file);
    assert.deepEqual(out.metadata, { format: 'pt', source: 'archbundle' });
    const torchNames: Record<string, string> = { BOOL: 'bool', F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8' };
    assert.deepEqual(
      out.tensors.map((t) => ({ name: t.name, torch: t.torch, shape: t.shape, values: t.values, hex: t.hex })),
      ours.map((t) => ({ name: t.name, torch: `torch.${torchNames[t.dtype]}`, shape: t.shape, values: decodeValues(t.dtype, t.bytes), hex: hex(t.bytes) })),
    );
    // The decoder itself is checked against values written in the test, not only against torch.
    assert.deepEqual(out.tensors.find((t) => t.name === 'half')!.values, [1, -2]);
    assert.deepEqual(out.tensors.find((t) => t.name === 'brain')!.values, [1, -3]);
    assert.deepEqual(out.tensors.find((t) => t.name === 'steps')!.values, ['-9223372036854775808', '9007199254740993']);
    assert.ok(Object.is(out.tensors.find((t) => t.name === 'ünï/cødé')!.values[1], -0));
  });

  it('we read a file laid out as the official library does, and write the same bytes from what we read', () => {
    const file = path.join(folder, 'theirs.safetensors');
    const written = python('write', file);
    const bytes = new Uint8Array(readFileSync(file));
    const read = readSafetensors(bytes);
    assert.deepEqual(read.metadata, written.metadata);
    assert.deepEqual(
      read.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, values: decodeValues(t.dtype, t.bytes), hex: hex(t.bytes) })),
      written.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, values: t.values, hex: t.hex })),
    );
    // Their order: widest dtype first, then by name; ours keeps the order given, so this round trip is exact.
    assert.deepEqual(read.tensors.map((t) => t.name).slice(0, 5), ['big', 'step', 'head.weight', 'aaa', 'embed.weight']);
    assert.equal(hex(write(read.tensors, read.metadata!)), hex(bytes));
  });
});

describe('hostile files, each refused with its code', () => {
  it('an empty file, or one shorter than the length prefix, is truncated', () => {
    expectRefused(new Uint8Array(0), 'E_TRUNCATED', { message: /0 bytes, fewer than the 8/ });
    expectRefused(new Uint8Array(7), 'E_TRUNCATED');
  });

  it('a header length larger than the file is truncated, and nothing is allocated for it', () => {
    expectRefused(craft(twoTensors(), 11, 5000n), 'E_TRUNCATED', { message: /header length is 5000 bytes, but only \d+ bytes follow/ });
  });

  it('a header length over the cap is refused before the file size is looked at', () => {
    expectRefused(craft('{}', 0, 100_000_001n), 'E_SAFETENSORS', { message: /100000001 bytes, more than the cap of 100000000/ });
    expectRefused(craft('{}', 0, 2n ** 64n - 1n), 'E_SAFETENSORS', { message: /18446744073709551615 bytes/ });
    expectRefused(craft(twoTensors(), 11), 'E_SAFETENSORS', { message: /cap of 16/ }, { maxHeaderBytes: 16 });
  });

  it('a header that is not JSON', () => {
    expectRefused(craft('{"a":', 0), 'E_SAFETENSORS', { cause: 'E_JSON_SYNTAX', keyword: 'json-syntax' });
    expectRefused(craft('', 0), 'E_SAFETENSORS', { cause: 'E_JSON_SYNTAX' });
    // NUL padding is not JSON whitespace (the crate refuses it too), nor is a byte-order mark.
    expectRefused(craft(`${JSON.stringify(twoTensors())}\0\0\0`, 11), 'E_SAFETENSORS', { cause: 'E_JSON_SYNTAX' });
    expectRefused(craft(`\ufeff${JSON.stringify(twoTensors())}`, 11), 'E_SAFETENSORS', { cause: 'E_JSON_SYNTAX' });
  });

  it('a header that is not an object', () => {
    for (const header of ['[]', '"a"', 'null', '7']) expectRefused(craft(header), 'E_SAFETENSORS', { pointer: '', keyword: 'type', message: /must be a JSON object/ });
  });

  it('a header that is not UTF-8', () => {
    const file = craft('{"a":{}}');
    file[10] = 0xff; // inside the name
    expectRefused(file, 'E_SAFETENSORS', { cause: 'E_JSON_SYNTAX', message: /not valid UTF-8/ });
  });

  it('a duplicate key: two tensors of one name (also spelled with an escape), or a field given twice', () => {
    const a = '{"dtype":"U8","shape":[1],"data_offsets":[0,1]}';
    expectRefused(craft(`{"a":${a},"a":${a}}`, 1), 'E_SAFETENSORS', { cause: 'E_JSON_DUPLICATE_KEY', message: /duplicate key "a"/ });
    expectRefused(craft(`{"a":${a},"\\u0061":${a}}`, 1), 'E_SAFETENSORS', { cause: 'E_JSON_DUPLICATE_KEY' });
    expectRefused(craft('{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1), 'E_SAFETENSORS', { cause: 'E_JSON_DUPLICATE_KEY' });
  });

  it('a header nested too deep', () => {
    expectRefused(craft(`{"a":{"dtype":"U8","shape":${'['.repeat(20)}${']'.repeat(20)},"data_offsets":[0,1]}}`, 1), 'E_SAFETENSORS', { cause: 'E_JSON_DEPTH' });
    // A valid header nests 3 deep, so a cap of 2 refuses it: the cap is the caller's.
    expectRefused(craft(twoTensors(), 11), 'E_SAFETENSORS', { cause: 'E_JSON_DEPTH' }, { maxJsonDepth: 2 });
  });

  it('a key that could reach a prototype', () => {
    expectRefused(craft('{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1), 'E_SAFETENSORS', { cause: 'E_JSON_FORBIDDEN_KEY' });
    expectRefused(craft({ __metadata__: { constructor: 'x' } }), 'E_SAFETENSORS', { cause: 'E_JSON_FORBIDDEN_KEY' });
  });

  it('an unknown dtype', () => {
    for (const dtype of ['F12', 'f32', 'float32', 7, null]) {
      expectRefused(craft({ 'conv1.weight': { dtype, shape: [1], data_offsets: [0, 4] } }, 4), 'E_SAFETENSORS', {
        pointer: '/conv1.weight/dtype',
        keyword: 'dtype',
        message: /tensor "conv1\.weight": dtype must be one of BOOL, .*F32.*, received/,
      });
    }
  });

  it('a bad shape: negative, fractional, not numbers, not an array, too many dimensions, too many bytes', () => {
    const at = (shape: unknown, offsets: unknown = [0, 4]) => craft({ w: { dtype: 'F32', shape, data_offsets: offsets } }, 4);
    expectRefused(at([-1]), 'E_SAFETENSORS', { pointer: '/w/shape/0', keyword: 'type', message: /shape\[0\] must be a non-negative integer, received -1/ });
    expectRefused(at([1.5]), 'E_SAFETENSORS', { pointer: '/w/shape/0', message: /received 1.5/ });
    expectRefused(at(['1']), 'E_SAFETENSORS', { pointer: '/w/shape/0' });
    expectRefused(at([2 ** 53]), 'E_SAFETENSORS', { pointer: '/w/shape/0' });
    expectRefused(at({ 0: 1 }), 'E_SAFETENSORS', { pointer: '/w/shape', keyword: 'shape' });
    expectRefused(at(new Array(33).fill(1)), 'E_SAFETENSORS', { pointer: '/w/shape', message: /at most 32 dimensions/ });
    expectRefused(at([2 ** 20, 2 ** 20, 2 ** 20]), 'E_SAFETENSORS', { pointer: '/w/shape', keyword: 'overflow', message: /F32 \[1048576, 1048576, 1048576\] has too many bytes/ });
    expectRefused(craft({ w: entry('F4', [3], [0, 2]) }, 2), 'E_SAFETENSORS', { pointer: '/w/shape', keyword: 'partial-byte' });
  });

  it('data_offsets that are not a pair of non-negative integers', () => {
    for (const offsets of [[0], [0, 4, 8], ['0', 4], [-4, 0], [0, 2 ** 60], [0, 4.5], null]) {
      expectRefused(craft({ w: { dtype: 'F32', shape: [1], data_offsets: offsets } }, 4), 'E_SAFETENSORS', { message: /tensor "w": data_offsets/ });
    }
  });

  it('data_offsets whose end is before their begin', () => {
    expectRefused(craft({ w: entry('U8', [0], [8, 0]) }, 8), 'E_SAFETENSORS', { pointer: '/w/data_offsets', keyword: 'order', message: /received \[8, 0\]/ });
  });

  it('data_offsets that overlap', () => {
    const e = expectRefused(craft({ a: entry('F32', [2], [0, 8]), b: entry('U8', [3], [4, 7]) }, 8), 'E_SAFETENSORS', { pointer: '/b/data_offsets', keyword: 'overlap' });
    assert.match(e.message, /tensor "b" begins at byte 4, inside tensor "a" which ends at 8/);
  });

  it('data_offsets with a gap', () => {
    const e = expectRefused(craft({ a: entry('F32', [2], [0, 8]), b: entry('U8', [3], [9, 12]) }, 12), 'E_SAFETENSORS', { pointer: '/b/data_offsets', keyword: 'gap' });
    assert.match(e.message, /tensor "b" must begin where tensor "a" ends, 8, received 9/);
  });

  it('data_offsets not starting at 0', () => {
    expectRefused(craft({ a: entry('F32', [2], [4, 12]) }, 12), 'E_SAFETENSORS', { pointer: '/a/data_offsets', keyword: 'gap', message: /must begin at 0/ });
  });

  it('tensors not reaching the end of the data: trailing bytes', () => {
    expectRefused(craft(twoTensors(), 12), 'E_SAFETENSORS', { keyword: 'trailing', message: /12 bytes but the last tensor, "b", ends at 11: 1 trailing bytes/ });
    expectRefused(concat([write([{ name: 'x', dtype: 'U8', shape: [1], bytes: Uint8Array.of(1) }]), Uint8Array.of(0)]), 'E_SAFETENSORS', { keyword: 'trailing' });
    expectRefused(craft('{}', 3), 'E_SAFETENSORS', { keyword: 'trailing', message: /no tensor is declared/ });
  });

  it('tensors reaching past the end of the data: truncated', () => {
    expectRefused(craft(twoTensors(), 10), 'E_TRUNCATED', { pointer: '/b/data_offsets', keyword: 'truncated', message: /tensor "b" ends at byte 11 of the data buffer, but the file holds only 10/ });
  });

  it('a byte length that does not match the shape and dtype', () => {
    expectRefused(craft({ 'fc.weight': entry('F32', [2, 2], [0, 12]) }, 12), 'E_SAFETENSORS', {
      pointer: '/fc.weight/data_offsets',
      keyword: 'length',
      message: /tensor "fc\.weight": F32 \[2, 2\] needs 16 bytes, but data_offsets \[0, 12\] span 12/,
    });
  });

  it('metadata that is not an object of strings', () => {
    expectRefused(craft({ __metadata__: { format: 'pt', epoch: 3 } }), 'E_SAFETENSORS', { pointer: '/__metadata__/epoch', keyword: 'type', message: /__metadata__ value of "epoch" must be a string, received 3/ });
    expectRefused(craft({ __metadata__: { nested: { a: 'b' } } }), 'E_SAFETENSORS', { pointer: '/__metadata__/nested' });
    for (const metadata of [null, ['a'], 'a']) expectRefused(craft({ __metadata__: metadata }), 'E_SAFETENSORS', { pointer: '/__metadata__', keyword: 'type' });
  });

  it('unknown or missing keys in a tensor entry', () => {
    expectRefused(craft({ w: { ...entry('U8', [1], [0, 1]), offsets: [0, 1] } }, 1), 'E_SAFETENSORS', {
      pointer: '/w/offsets',
      keyword: 'additionalProperties',
      message: /tensor "w" has the unknown key "offsets"; expected only dtype, shape and data_offsets/,
    });
    expectRefused(craft({ w: { dtype: 'U8', data_offsets: [0, 1] } }, 1), 'E_SAFETENSORS', { pointer: '/w/shape', keyword: 'required' });
    expectRefused(craft({ w: [1, 2] }), 'E_SAFETENSORS', { pointer: '/w', keyword: 'type' });
  });

  it('an empty tensor name, or one with a lone surrogate', () => {
    expectRefused(craft({ '': entry('U8', [1], [0, 1]) }, 1), 'E_SAFETENSORS', { pointer: '/', keyword: 'name' });
    expectRefused(craft('{"\\ud800x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1), 'E_SAFETENSORS', { keyword: 'unicode' });
  });

  it('more tensors than the cap', () => {
    expectRefused(craft(twoTensors(), 11), 'E_SAFETENSORS', { keyword: 'cap', message: /2 tensors, more than the cap of 1/ }, { maxTensors: 1 });
  });

  it('collects every problem of the header into one error', () => {
    const header = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, entry('X', [1], [0, 1])]));
    const e = expectRefused(craft(header, 1), 'E_SAFETENSORS');
    assert.equal(e.issues.length, 8);
    assert.match(e.message, /and 3 more problems$/);
  });

  it('a file cut at any byte is truncated, never anything else', () => {
    const file = write(
      [
        { name: 'w', dtype: 'F32', shape: [2], bytes: bytesOf(new Float32Array([1, 2])) },
        { name: 'e', dtype: 'I64', shape: [0], bytes: new Uint8Array(0) },
        { name: 'b', dtype: 'U8', shape: [3], bytes: Uint8Array.of(1, 2, 3) },
      ],
      { k: 'v' },
    );
    for (let cut = 0; cut < file.byteLength; cut++) expectRefused(file.subarray(0, cut), 'E_TRUNCATED');
    assert.equal(readSafetensors(file).tensors.length, 3);
  });

  it('random damage gives a coded error or a valid result, never a crash', () => {
    const valid = write(
      [
        { name: 'conv.weight', dtype: 'F32', shape: [2, 2], bytes: bytesOf(new Float32Array([1, 2, 3, 4])) },
        { name: 'conv.bias', dtype: 'I64', shape: [1], bytes: bytesOf(new BigInt64Array([5n])) },
        { name: 'mask', dtype: 'BOOL', shape: [2], bytes: Uint8Array.of(1, 0) },
      ],
      { format: 'pt' },
    );
    const outcomes = new Set<string>();
    const damage = fc.oneof(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => (bytes: Uint8Array) => {
        const copy = Uint8Array.from(bytes);
        for (const [at, mask] of flips) copy[at % copy.length]! ^= mask;
        return copy;
      }),
      fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, extra]) => (bytes: Uint8Array) => {
        const cut = at % bytes.length;
        return concat([bytes.subarray(0, cut), extra, bytes.subarray(cut)]);
      }),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([at, count]) => (bytes: Uint8Array) => {
        const cut = at % bytes.length;
        return concat([bytes.subarray(0, cut), bytes.subarray(cut + count)]);
      }),
    );
    fc.assert(
      fc.property(damage, (hurt) => {
        const bytes = hurt(valid);
        let result;
        try {
          result = readSafetensors(bytes);
        } catch (error) {
          assert.ok(error instanceof ForeignFormatError, `only coded errors, received ${error instanceof Error ? error.stack : String(error)}`);
          assert.ok(error.code === 'E_SAFETENSORS' || error.code === 'E_TRUNCATED', error.code);
          outcomes.add(error.code);
          return;
        }
        // A damaged file that still reads is a valid file: it writes back and reads the same.
        outcomes.add('ok');
        const again = readSafetensors(write(result.tensors, result.metadata ?? undefined));
        assert.deepEqual(again.tensors.map((t) => [t.name, t.dtype, t.shape, hex(t.bytes)]), result.tensors.map((t) => [t.name, t.dtype, t.shape, hex(t.bytes)]));
        assert.deepEqual(again.metadata, result.metadata);
      }),
      { numRuns: 1000, seed: 7 },
    );
    assert.deepEqual([...outcomes].sort(), ['E_SAFETENSORS', 'E_TRUNCATED', 'ok'], 'the damage reached the checks and the data');
  });

  it('random bytes give a coded error or a valid result', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          readSafetensors(bytes);
        } catch (error) {
          assert.ok(error instanceof ArchbundleError && (error.code === 'E_SAFETENSORS' || error.code === 'E_TRUNCATED'), String(error));
        }
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});

describe('the writer refuses what no reader would take back', () => {
  const f32 = (name: string): SafetensorsTensor => ({ name, dtype: 'F32', shape: [1], bytes: new Uint8Array(4) });
  const refused = (tensors: unknown, metadata: unknown, pointer: string, message: RegExp) => {
    assert.throws(
      () => writeSafetensors(tensors as SafetensorsTensor[], metadata as Record<string, string>),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError, String(e));
        assert.equal(e.code, 'E_INVALID_ARGS');
        assert.ok(e.issues.some((i) => i.pointer === pointer), JSON.stringify(e.issues));
        assert.match(e.message, message);
        return true;
      },
    );
  };

  it('bytes that do not match the shape and dtype', () => {
    refused([{ name: 'w', dtype: 'F32', shape: [2, 2], bytes: new Uint8Array(15) }], undefined, '/tensors/0/bytes', /tensor "w": F32 \[2, 2\] needs 16 bytes, received 15/);
    refused([{ name: 'w', dtype: 'F32', shape: [1], bytes: [0, 0, 0, 0] }], undefined, '/tensors/0/bytes', /must be a Uint8Array/);
    refused([{ name: 'w', dtype: 'F4', shape: [3], bytes: new Uint8Array(2) }], undefined, '/tensors/0/shape', /does not fill a whole number of bytes/);
  });

  it('bad names: repeated, empty, the metadata key, a prototype key, a lone surrogate', () => {
    refused([f32('w'), f32('w')], undefined, '/tensors/1/name', /tensor "w": the name is given twice/);
    refused([f32('')], undefined, '/tensors/0/name', /must be non-empty/);
    refused([f32('__metadata__')], undefined, '/tensors/0/name', /metadata key/);
    refused([f32('constructor')], undefined, '/tensors/0/name', /a key our reader refuses/);
    refused([f32('a\ud800')], undefined, '/tensors/0/name', /lone UTF-16 surrogate/);
  });

  it('an unknown dtype, or a bad shape', () => {
    refused([{ ...f32('w'), dtype: 'float32' }], undefined, '/tensors/0/dtype', /dtype must be one of .*received "float32"/);
    refused([{ ...f32('w'), shape: [-1] }], undefined, '/tensors/0/shape', /non-negative integers, received \[-1\]/);
  });

  it('metadata that is not strings', () => {
    refused([], { epoch: 3 }, '/metadata/epoch', /metadata value of "epoch" must be a string, received 3/);
    refused([], ['a'], '/metadata', /must be an object of strings/);
  });
});
