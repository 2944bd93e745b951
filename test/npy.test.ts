/**
 * The .npy reader: every valid header NumPy could write (versions 1.0-3.0, either dtype, any
 * rank, either quote, any key order and spacing) parses to its shape and data; every defect
 * fails with E_DATA_INVALID saying what is wrong.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { float32Bytes, npyBytes, npyHeaderText } from './helpers/array-files.js';
import { ArchbundleError } from '../src/index.js';
import { parseNpy } from '../src/node/inputs/npy.js';

interface Case {
  version: 1 | 2 | 3;
  descr: '<f4' | '|u1';
  shape: number[];
  order: number[];
  quote: string;
  spaces: number[];
  trailingComma: boolean;
  padding: number;
  seed: number;
}

const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  version: fc.constantFrom(1 as const, 2 as const, 3 as const),
  descr: fc.constantFrom('<f4' as const, '|u1' as const),
  shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
  order: fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
  quote: fc.constantFrom("'", '"'),
  spaces: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
  trailingComma: fc.boolean(),
  padding: fc.integer({ min: 0, max: 70 }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

/** The header dict in the formatting a case asks for (NumPy's own is one of them). */
function headerText(c: Case, fields: Record<string, string> = {}): string {
  const q = c.quote;
  const sp = (i: number) => ' '.repeat(c.spaces[i]!);
  const tuple = c.shape.length === 1 ? `(${c.shape[0]},)` : `(${c.shape.join(`,${sp(7)}`)})`;
  const values: Record<string, string> = { descr: `${q}${c.descr}${q}`, fortran_order: 'False', shape: tuple, ...fields };
  const keys = ['descr', 'fortran_order', 'shape'];
  const entries = c.order.map((k, i) => `${sp(i)}${q}${keys[k]}${q}${sp(3)}:${sp(4)}${values[keys[k]!]}`);
  return `{${entries.join(`,${sp(5)}`)}${c.trailingComma ? ',' : ''}${sp(6)}}`;
}

function dataOf(c: Case): { bytes: Uint8Array; values: number[] } {
  const count = c.shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: count }, (_, i) => (c.descr === '|u1' ? (i * 37 + c.seed) % 256 : Math.fround((i - c.seed) / 7)));
  return { bytes: c.descr === '|u1' ? Uint8Array.from(values) : float32Bytes(values), values };
}

function fileOf(c: Case, header = headerText(c), data = dataOf(c).bytes): Uint8Array {
  // the padding NumPy adds is any number of spaces before the newline; npyBytes pads to 64, add more
  return npyBytes({ descr: c.descr, shape: c.shape, data, version: c.version, header: header + ' '.repeat(c.padding) });
}

function failure(bytes: Uint8Array): ArchbundleError {
  try {
    parseNpy(bytes, 'x.npy');
  } catch (error) {
    assert.ok(error instanceof ArchbundleError, String(error));
    assert.equal(error.code, 'E_DATA_INVALID');
    assert.ok(error.message.startsWith('x.npy: not a usable .npy file: '), error.message);
    return error;
  }
  assert.fail('the file was accepted');
}

describe('.npy header parser', () => {
  it('parses every valid header to its shape, dtype and data', () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const parsed = parseNpy(fileOf(c), 'x.npy');
        assert.deepEqual(parsed.shape, c.shape);
        assert.equal(parsed.dtype, c.descr === '<f4' ? 'float32' : 'uint8');
        assert.deepEqual(Array.from(parsed.data), dataOf(c).values);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a mutated file with a coded error saying what is wrong', () => {
    const mutations: [string, (c: Case, file: Uint8Array) => Uint8Array, RegExp][] = [
      ['magic', (c, f) => Object.assign(Uint8Array.from(f), { [c.seed % 6]: 0x41 }), /expected the magic \\x93NUMPY, received/],
      ['major version', (c, f) => Object.assign(Uint8Array.from(f), { 6: [0, 4, 9][c.seed % 3]! }), /format version \d\.0; expected 1\.0, 2\.0 or 3\.0/],
      ['minor version', (_, f) => Object.assign(Uint8Array.from(f), { 7: 1 }), /format version \d\.1; expected/],
      ['dtype', (c) => fileOf(c, headerText(c, { descr: `'${['<f8', '>f4', '<i4', '|b1', '<u2', '|i1', '<f2'][c.seed % 7]}'` })), /unsupported dtype '.+'; expected '<f4' \(float32, little-endian\) or '\|u1' \(uint8\)/],
      ['structured dtype', (c) => fileOf(c, headerText(c, { descr: "[('a', '<f4')]" })), /bad header: expected a string, True, False or a tuple/],
      ['fortran order', (c) => fileOf(c, headerText(c, { fortran_order: 'True' })), /fortran_order is True \(column-major data\); expected False/],
      ['shape not a tuple', (c) => fileOf(c, headerText(c, { shape: `[${c.seed % 5}]` })), /bad header: expected a string, True, False or a tuple/],
      ['shape (n) is a number', (c) => fileOf(c, headerText(c, { shape: `(${c.seed % 5})` })), /is a number, not a tuple/],
      ['negative dimension', (c) => fileOf(c, headerText(c, { shape: '(-1, 2)' })), /expected a non-negative integer in shape/],
      ['extra key', (c) => fileOf(c, headerText(c).replace(/^\{/, "{'extra': True, ")), /unexpected header key 'extra'; expected only descr, fortran_order and shape/],
      ['duplicate key', (c) => fileOf(c, headerText(c).replace(/^\{/, `{'shape': (1,), `)), /the key 'shape' appears twice/],
      ['missing key', (c) => fileOf(c, `{'descr': '${c.descr}', 'shape': (${c.shape.join(', ')}${c.shape.length === 1 ? ',' : ''})}`), /the header lacks the key 'fortran_order'/],
      ['no newline', (c, f) => {
        const copy = Uint8Array.from(f);
        copy[copy.length - dataOf(c).bytes.length - 1] = 0x20;
        return copy;
      }, /the header does not end with a newline/],
      ['truncated data', (c, f) => (dataOf(c).bytes.length > 0 ? f.subarray(0, f.length - 1 - (c.seed % dataOf(c).bytes.length)) : Uint8Array.from([...f.subarray(0, 10)])), /truncated/],
      ['extra data', (_, f) => Uint8Array.from([...f, 0, 0, 0, 0]), /bytes after the data/],
      ['truncated header', (c, f) => f.subarray(0, 12 + (c.seed % 20)), /truncated/],
    ];
    for (const [what, mutate, message] of mutations) {
      fc.assert(
        fc.property(caseArbitrary, (c) => {
          const error = failure(mutate(c, fileOf(c)));
          assert.match(error.message, message, `${what}: ${error.message}`);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('a file of fewer than 10 bytes, or a header declaring more bytes than the file has', () => {
    assert.match(failure(Uint8Array.from([0x93, 0x4e])).message, /truncated: 2 bytes, fewer than the 10 of the smallest header/);
    const file = npyBytes({ descr: '<f4', shape: [1], data: float32Bytes([1]) });
    const lying = Uint8Array.from(file);
    new DataView(lying.buffer).setUint16(8, 60000, true);
    assert.match(failure(lying).message, /truncated: the header declares 60000 bytes, the file has \d+ after the header length/);
  });

  // Needs Debian's python3-numpy (CI installs it); without, this fails rather than skips.
  it("reads the files NumPy itself writes (np.save, versions 1.0, 2.0 and 3.0)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'archbundle-npy-'));
    try {
      const script = `
import numpy as np, sys
d = sys.argv[1]
np.save(d + '/f.npy', np.arange(24, dtype='<f4').reshape(2, 3, 4) / 8)
np.save(d + '/u.npy', (np.arange(30) * 7 % 256).astype('u1').reshape(5, 6))
for v in [(2, 0), (3, 0)]:
    with open(d + '/v%d.npy' % v[0], 'wb') as f:
        np.lib.format.write_array(f, np.ones((3,), dtype='<f4'), version=v)
np.save(d + '/f8.npy', np.zeros((2,), dtype='<f8'))
np.save(d + '/fortran.npy', np.asfortranarray(np.zeros((2, 3), dtype='<f4')))`;
      const run = spawnSync('/usr/bin/python3', ['-c', script, dir], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const read = (f: string) => parseNpy(new Uint8Array(readFileSync(path.join(dir, f))), f);
      assert.deepEqual(Array.from(read('f.npy').data), Array.from({ length: 24 }, (_, i) => i / 8));
      assert.deepEqual(read('f.npy').shape, [2, 3, 4]);
      assert.deepEqual(Array.from(read('u.npy').data), Array.from({ length: 30 }, (_, i) => (i * 7) % 256));
      assert.deepEqual(Array.from(read('v2.npy').data), [1, 1, 1]);
      assert.deepEqual(Array.from(read('v3.npy').data), [1, 1, 1]);
      assert.throws(() => read('f8.npy'), /f8\.npy: not a usable \.npy file: unsupported dtype '<f8'/);
      assert.throws(() => read('fortran.npy'), /fortran_order is True/);
      assert.equal(npyHeaderText({ descr: '<f4', shape: [2, 3, 4] }), readFileSync(path.join(dir, 'f.npy')).subarray(10, 10 + 63).toString('latin1').trimEnd());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
