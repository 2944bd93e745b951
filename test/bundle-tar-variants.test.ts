/**
 * Bundles that standard tools write (docs/bundle-format.md §1): the strict reader takes the
 * dialects of tar that a bundle comes back in after it was unpacked and re-packed, and still
 * refuses every hostile variant of them with the codes of §6.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { useTestBackend } from './helpers/backend.js';
import { craftTar, GNU_MAGIC, paxData, splitTar, type CraftEntry } from './helpers/tar-craft.js';
import { tempDir } from './helpers/tempdir.js';
import { ArchbundleError, BundleError, openBundleFile, readBundle, seedRandom, State, type BundleContents } from '../src/index.js';
import { byteReader } from '../src/core/bundle/byte-source.js';
import { parsePax } from '../src/core/bundle/pax.js';
import { TarReader } from '../src/core/bundle/tar-reader.js';
import { instantiate } from '../src/train.js';

const run = promisify(execFile);
const RECORD = 10240;
const folder = tempDir('archbundle-tar-variants-');
let original: Uint8Array;
let entries: Map<string, Uint8Array>;
/** The saved model's weights, by name, as raw bytes. */
const weights = new Map<string, Buffer>();

before(async () => {
  await useTestBackend();
  seedRandom(17);
  const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
  original = await new State(model, undefined, undefined, 2).toBytes();
  for (const w of model.namedWeights()) weights.set(w.name, bytesOf(w.variable.read().dataSync()));
  model.dispose();
  entries = await splitTar(original);
});

function bytesOf(data: ArrayBufferView): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The bundle's entries as regular files, each with `edit` applied, for hand-made archives. */
function list(edit: (entry: CraftEntry) => CraftEntry = (e) => e): CraftEntry[] {
  return [...entries].map(([name, data]) => edit({ name, data }));
}

let written = 0;

/** Reads `bytes` as `archbundle validate` does, from a file and from the bytes themselves; both must agree. */
async function read(bytes: Uint8Array): Promise<BundleContents> {
  const path = join(folder, `read-${written++}.bundle`);
  await writeFile(path, bytes);
  const fromFile = await readBundle(await openBundleFile(path));
  const fromBytes = await readBundle(bytes);
  assert.deepEqual(fromFile, fromBytes);
  return fromBytes;
}

/** Both ways of reading fail with `code`, with the same message, which contains every one of `names`. */
async function refused(bytes: Uint8Array, code: string, ...names: string[]): Promise<void> {
  const path = join(folder, `refused-${written++}.bundle`);
  await writeFile(path, bytes);
  const errors: ArchbundleError[] = [];
  for (const source of [bytes, await openBundleFile(path)]) {
    const error = await readBundle(source).then(
      () => assert.fail(`expected ${code}, the bundle was read`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ArchbundleError, `expected ArchbundleError ${code}, received ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const name of names) assert.ok(error.message.includes(name), `the message names ${JSON.stringify(name)}: ${error.message}`);
    errors.push(error);
  }
  assert.equal(errors[0]!.message, errors[1]!.message, 'a file and its bytes fail alike');
}

describe('after the end-of-archive marker', () => {
  it('zero padding up to the 10240-byte record is read as the end', async () => {
    assert.ok(original.length % RECORD !== 0, 'the fixture does not end on a record boundary');
    const expected = await read(original);
    for (const zeros of [RECORD - (original.length % RECORD), 512, 100, 1]) {
      assert.deepEqual(await read(Buffer.concat([original, new Uint8Array(zeros)])), expected, `${zeros} zero bytes`);
    }
  });

  it('a non-zero byte within the record stays E_TRAILING_DATA', async () => {
    const tail = new Uint8Array(RECORD - (original.length % RECORD));
    tail[tail.length - 1] = 0x01;
    await refused(Buffer.concat([original, tail]), 'E_TRAILING_DATA', '(0x01)', `offset ${original.length + tail.length - 1}`);
  });

  it('zeros past the record stay E_TRAILING_DATA', async () => {
    const recordEnd = Math.ceil(original.length / RECORD) * RECORD;
    await refused(Buffer.concat([original, new Uint8Array(recordEnd - original.length + 1)]), 'E_TRAILING_DATA', `after offset ${recordEnd}`);
    await refused(Buffer.concat([original, new Uint8Array(recordEnd - original.length + RECORD)]), 'E_TRAILING_DATA', `after offset ${recordEnd}`);
  });
});

describe('GNU headers', () => {
  it('the GNU magic "ustar  \\0" is read like POSIX ustar, and its atime and ctime fields are not a ustar prefix', async () => {
    const expected = await read(original);
    assert.deepEqual(await read(craftTar(list((e) => ({ ...e, magic: GNU_MAGIC })))), expected);
    const times = { 345: '15303645732\0', 357: '15303645732\0' }; // what GNU tar writes there in incremental mode
    assert.deepEqual(await read(craftTar(list((e) => ({ ...e, magic: GNU_MAGIC, fields: times })))), expected);
  });

  it('GNU sparse or multi-volume fields on a regular file stay E_ENTRY_TYPE', async () => {
    for (const [offset, text] of [[369, '00000001000\0'], [386, '00000000000\0'], [482, '\x01'], [483, '00000010000\0']] as const) {
      const bytes = craftTar(list((e) => (e.name === 'weights.bin' ? { ...e, magic: GNU_MAGIC, fields: { [offset]: text } } : e)));
      await refused(bytes, 'E_ENTRY_TYPE', '"weights.bin"', 'GNU sparse or multi-volume');
    }
  });
});

/** The tar dialect of a file, from its headers: what a tool actually wrote. */
function dialect(bytes: Uint8Array): { magics: string[]; types: string; paxKeys: Set<string>; length: number } {
  const text = (at: number, n: number) => Buffer.from(bytes.subarray(at, at + n)).toString('latin1');
  const magics = new Set<string>();
  const paxKeys = new Set<string>();
  let types = '';
  for (let at = 0; bytes.subarray(at, at + 512).some((b) => b !== 0); ) {
    const size = parseInt(text(at + 124, 12).replace(/\0.*$/s, '') || '0', 8);
    magics.add(text(at + 257, 8));
    types += text(at + 156, 1);
    if (types.endsWith('x')) for (const [, key] of text(at + 512, size).matchAll(/^\d+ ([^=]+)=/gm)) paxKeys.add(key!);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return { magics: [...magics], types, paxKeys, length: bytes.length };
}

describe('bundles re-packed by GNU tar and Python tarfile', () => {
  const unpacked = join(folder, 'unpacked');
  const names = () => [...entries.keys()];
  const PACK_PY = [
    'import os, sys, tarfile',
    'out, fmt, folder, *names = sys.argv[1:]',
    'options = {} if fmt == "default" else {"format": getattr(tarfile, fmt)}',
    'with tarfile.open(out, "w", **options) as tar:',
    '    for name in names:',
    '        tar.add(os.path.join(folder, name), arcname=name)',
  ].join('\n');
  const python = (format: string) => (out: string) => run('/usr/bin/python3', ['-c', PACK_PY, out, format, unpacked, ...names()]);
  const gnuTar = (...options: string[]) => (out: string) => run('tar', ['-cf', out, ...options, '-C', unpacked, ...names()]);
  const POSIX = 'ustar\u000000';
  const every = (types: string) => types.repeat(entries.size);

  const tools: { tool: string; pack: (out: string) => Promise<unknown>; wrote: (d: ReturnType<typeof dialect>) => void }[] = [
    { tool: 'GNU tar, default (gnu) format', pack: gnuTar(), wrote: (d) => assert.deepEqual([d.magics, d.types], [[GNU_MAGIC], every('0')]) },
    { tool: 'GNU tar --format=ustar', pack: gnuTar('--format=ustar'), wrote: (d) => assert.deepEqual([d.magics, d.types], [[POSIX], every('0')]) },
    {
      tool: 'GNU tar --format=pax',
      pack: gnuTar('--format=pax'),
      wrote: (d) => {
        assert.deepEqual([d.magics, d.types], [[POSIX], every('x0')]);
        for (const key of ['mtime', 'atime', 'ctime']) assert.ok(d.paxKeys.has(key), `pax ${key} in ${[...d.paxKeys]}`);
      },
    },
    {
      tool: 'Python tarfile, default format',
      pack: python('default'),
      wrote: (d) => {
        assert.deepEqual([d.magics, d.types], [[POSIX], every('x0')]);
        assert.ok(d.paxKeys.has('mtime'), `pax mtime in ${[...d.paxKeys]}`);
      },
    },
    { tool: 'Python tarfile, PAX_FORMAT', pack: python('PAX_FORMAT'), wrote: (d) => assert.deepEqual([d.magics, d.types], [[POSIX], every('x0')]) },
    { tool: 'Python tarfile, GNU_FORMAT', pack: python('GNU_FORMAT'), wrote: (d) => assert.deepEqual([d.magics, d.types], [[GNU_MAGIC], every('0')]) },
  ];

  before(async () => {
    await mkdir(unpacked);
    const bundle = join(folder, 'original.bundle');
    await writeFile(bundle, original);
    await run('tar', ['-xf', bundle, '-C', unpacked]);
    // A file's time with a fraction of a second, as files on disk have: GNU tar then writes it as pax mtime.
    for (const name of names()) await utimes(join(unpacked, name), 1700000000.25, 1700000000.25);
  });

  for (const { tool, pack, wrote } of tools) {
    it(`${tool}: read as by archbundle validate, and loaded with bit-identical weights`, async () => {
      const path = join(folder, `${tool.replace(/\W+/g, '-')}.tar`);
      await pack(path);
      const bytes = await readFile(path);
      const found = dialect(bytes);
      wrote(found);
      assert.equal(found.length % RECORD, 0, 'the tool filled its last 10240-byte record');
      assert.deepEqual(await read(bytes), await read(original));
      for (const source of [path, bytes]) {
        const state = await State.load(source);
        assert.deepEqual(state.model.namedWeights().map((w) => w.name), [...weights.keys()]);
        for (const w of state.model.namedWeights()) assert.ok(bytesOf(w.variable.read().dataSync()).equals(weights.get(w.name)!), `${tool}: ${w.name}`);
        state.model.dispose();
      }
    });
  }
});

/** The bundle with `extension` headers right before the entry `name` (or before the end marker when `name` is undefined). */
function withBefore(name: string | undefined, ...extension: CraftEntry[]): Uint8Array {
  const out: CraftEntry[] = [];
  for (const entry of list()) {
    if (entry.name === name) out.push(...extension);
    out.push(entry);
  }
  if (name === undefined) out.push(...extension);
  return craftTar(out);
}

/** A pax header as GNU tar names it; its own name is not an entry path and is never used. */
function pax(records: [string, string][] | Uint8Array): CraftEntry {
  return { name: './PaxHeaders/entry', type: 'x', data: records instanceof Uint8Array ? records : paxData(records) };
}

function longName(name: string | Uint8Array): CraftEntry {
  return { name: '././@LongLink', type: 'L', magic: GNU_MAGIC, data: typeof name === 'string' ? Buffer.from(`${name}\0`) : name };
}

/** Offset of the header of entry `name` in the plain bundle: where withBefore(name, ...) puts the extension header. */
function offsetOf(name: string): number {
  let at = 0;
  for (const [n, data] of entries) {
    if (n === name) return at;
    at += 512 + Math.ceil(data.length / 512) * 512;
  }
  throw new Error(`no entry ${name}`);
}

describe('pax headers and GNU long names that only restate the header', () => {
  it('pax headers with every accepted key, an empty pax header and GNU long names are read as the plain bundle', async () => {
    const expected = await read(original);
    const everyKey = list().flatMap((e): CraftEntry[] => [
      pax([['mtime', '1700000000.272106156'], ['atime', '-12.5'], ['ctime', '0'], ['uid', '1000'], ['gid', '0'], ['uname', 'Jürgen'], ['gname', ''], ['size', String(e.data!.length)], ['path', e.name]]),
      e,
    ]);
    assert.deepEqual(await read(craftTar(everyKey)), expected);
    assert.deepEqual(await read(withBefore('weights.bin', pax([]))), expected);
    assert.deepEqual(await read(craftTar(list().flatMap((e) => [longName(e.name), { ...e, magic: GNU_MAGIC }]))), expected);
  });

  it('a size of 8 GiB or more may be in the pax header alone, with 0 (GNU tar) or NULs (Python) in the size field', async () => {
    const size = 8 * 1024 ** 3 + 5;
    for (const sizeField of [Buffer.from('00000000000\0'), new Uint8Array(12)]) {
      const bytes = craftTar([pax([['size', String(size)]]), { name: 'weights.bin', sizeField }], { end: false });
      const header = await new TarReader(byteReader(bytes)).next();
      assert.deepEqual(header, { name: 'weights.bin', size, dataOffset: 3 * 512 });
    }
  });
});

describe('hostile extension headers keep their codes', () => {
  it('a pax path with ".." is E_ENTRY_PATH', async () => {
    await refused(withBefore('arch.json', pax([['path', '../arch.json']])), 'E_ENTRY_PATH', '"../arch.json"', 'pax header at offset 0');
    await refused(withBefore('arch.json', pax([['path', 'a/../../arch.json']])), 'E_ENTRY_PATH', '"a/../../arch.json"', 'contains ".."');
  });

  it('a pax path with "/" is E_ENTRY_PATH', async () => {
    await refused(withBefore('arch.json', pax([['path', 'sub/arch.json']])), 'E_ENTRY_PATH', '"sub/arch.json"', 'names a folder');
    await refused(withBefore('arch.json', pax([['path', '/etc/passwd']])), 'E_ENTRY_PATH', '"/etc/passwd"', 'is absolute');
  });

  it('a pax path that is a good name but not the header\'s is E_ENTRY_PATH', async () => {
    await refused(withBefore('weights.bin', pax([['path', 'weights.json']])), 'E_ENTRY_PATH', '"weights.bin"', '"weights.json"', 'must agree');
  });

  it('a GNU long name with ".." is E_ENTRY_PATH; one that is not one NUL-terminated name is E_NOT_TAR', async () => {
    await refused(withBefore('arch.json', longName('../../arch.json')), 'E_ENTRY_PATH', '"../../arch.json"', 'GNU long name at offset 0');
    await refused(withBefore('arch.json', longName('manifest.json')), 'E_ENTRY_PATH', '"arch.json"', '"manifest.json"');
    await refused(withBefore('arch.json', longName(Buffer.from('arch.json'))), 'E_NOT_TAR', 'no NUL');
    await refused(withBefore('arch.json', longName(Buffer.from('arch.json\0/etc/passwd\0'))), 'E_NOT_TAR', 'a NUL at byte 9');
  });

  it('a GNU long link, a sparse file and a pax global header are E_ENTRY_TYPE', async () => {
    const link: CraftEntry = { name: '././@LongLink', type: 'K', magic: GNU_MAGIC, data: Buffer.from('/etc/passwd\0') };
    await refused(withBefore('arch.json', link), 'E_ENTRY_TYPE', '"././@LongLink"', 'GNU long link');
    await refused(craftTar(list((e) => (e.name === 'weights.bin' ? { ...e, type: 'S', magic: GNU_MAGIC } : e))), 'E_ENTRY_TYPE', '"weights.bin"', 'GNU sparse file');
    const global: CraftEntry = { name: 'pax_global_header', type: 'g', data: paxData([['comment', 'x']]) };
    await refused(withBefore('arch.json', global), 'E_ENTRY_TYPE', '"pax_global_header"', 'pax global header');
  });

  it('a pax size that disagrees with the header is E_NOT_TAR', async () => {
    const size = entries.get('arch.json')!.length;
    await refused(withBefore('arch.json', pax([['size', String(size + 512)]])), 'E_NOT_TAR', `the size ${size} in its tar header`, `the size ${size + 512} in the pax header`);
    await refused(withBefore('arch.json', pax([['size', '0']])), 'E_NOT_TAR', `the size ${size} in its tar header`, 'the size 0 in the pax header');
    // Below 8 GiB the header's octal field holds the size, so a 0 there is the size, not an overflow.
    const small = craftTar([pax([['size', '1000']]), { name: 'weights.bin', size: 0 }], { end: false });
    await assert.rejects(new TarReader(byteReader(small)).next(), (e: unknown) => e instanceof BundleError && e.code === 'E_NOT_TAR' && e.message.includes('the size 0'));
  });

  for (const key of ['linkpath', 'GNU.sparse.size', 'GNU.sparse.map', 'hdrcharset', 'charset', 'comment', 'SCHILY.xattr.user.a', 'LIBARCHIVE.creationtime', 'mtime ', 'Path']) {
    it(`the unknown pax key ${JSON.stringify(key)} is E_ENTRY_TYPE`, async () => {
      await refused(withBefore('weights.json', pax([['mtime', '0'], [key, '1']])), 'E_ENTRY_TYPE', `the key "${key}"`, `pax header at offset ${offsetOf('weights.json')}`);
    });
  }

  const malformed: [string, string | Uint8Array, string][] = [
    ['a length past the end of the header', '99 mtime=0\n', 'its length 99 runs past the end of the header\'s 11 bytes'],
    ['a length shorter than the record', '10 mtime=0\n', 'to end with a newline, received "0"'],
    ['a length too short for any record', '3 =\n', 'its length 3 is too short'],
    ['a length with a leading zero', '011 mtime=0\n', 'received "011 mtime=0\\n"'],
    ['no length', 'mtime=0\n', 'received "mtime=0\\n"'],
    ['a record not ending in a newline', '11 mtime=0\0', 'received "\\u0000"'],
    ['a record without "="', '10 mtime0\n', 'received "mtime0"'],
    ['an empty key', paxData([['', '1234']]), 'received "=1234"'],
    ['bytes after the last record', '11 mtime=0\nxx', 'record 2 (byte 11)'],
    ['a value that is not UTF-8', Buffer.concat([Buffer.from('11 uname='), Buffer.from([0xff]), Buffer.from('\n')]), 'expected UTF-8'],
    ['a time that is not a number', '13 mtime=abc\n', '"mtime" must be a time in seconds such as "1700000000.5", received "abc"'],
    ['a negative id', '10 uid=-1\n', '"uid" must be a decimal id, received "-1"'],
    ['a size in exponent notation', paxData([['size', '1e3']]), '"size" must be a decimal byte count, received "1e3"'],
    ['a size past 2^53', paxData([['size', '18014398509481985']]), 'received "18014398509481985"'],
    ['a user name with a control character', '13 uname=a\u0001b\n', 'received "a\\u0001b"'],
    ['a key given twice', '11 mtime=0\n11 mtime=1\n', 'the key "mtime" appears a second time'],
  ];
  for (const [what, data, says] of malformed) {
    it(`a pax header with ${what} is E_NOT_TAR`, async () => {
      await refused(withBefore('weights.json', pax(typeof data === 'string' ? Buffer.from(data) : data)), 'E_NOT_TAR', says, `pax header at offset ${offsetOf('weights.json')}`);
    });
  }

  it('a pax header at the end, before another extension or before a link is E_ENTRY_TYPE', async () => {
    const end = original.length - 1024;
    await refused(withBefore(undefined, pax([['mtime', '0']])), 'E_ENTRY_TYPE', `pax header at offset ${end} is followed by the end-of-archive marker`);
    await refused(withBefore('arch.json', pax([['mtime', '0']]), pax([['mtime', '1']])), 'E_ENTRY_TYPE', 'pax header at offset 0 is followed by a pax header at offset 1024');
    await refused(withBefore('arch.json', pax([['mtime', '0']]), longName('arch.json')), 'E_ENTRY_TYPE', 'followed by a GNU long name at offset 1024');
    await refused(withBefore('arch.json', longName('arch.json'), pax([['mtime', '0']])), 'E_ENTRY_TYPE', 'GNU long name at offset 0 is followed by a pax header');
    const link: CraftEntry = { name: 'arch.json', type: '2', linkname: '/etc/passwd' };
    await refused(withBefore('arch.json', pax([['path', 'arch.json']]), link), 'E_ENTRY_TYPE', 'followed by a symbolic link ("arch.json") at offset 1024');
  });

  it('a pax header over 64 KiB is E_ENTRY_TOO_LARGE', async () => {
    const big = paxData([['uname', 'a'.repeat(64 * 1024)]]);
    await refused(withBefore('arch.json', pax(big)), 'E_ENTRY_TOO_LARGE', `has ${big.length} bytes`, 'cap of 65536');
  });
});

describe('pax records, by property', () => {
  const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
  const time = fc.tuple(fc.boolean(), digits(12), fc.option(digits(9), { nil: undefined })).map(([minus, whole, fraction]) => `${minus ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
  const name = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((v) => !/[\x00-\x1f\x7f]/.test(v));
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const records = fc.record({
    mtime: optional(time), atime: optional(time), ctime: optional(time),
    uid: optional(digits(8)), gid: optional(digits(8)), uname: optional(name), gname: optional(name),
    size: fc.boolean(), path: fc.boolean(),
  });
  /** The records in a random order, with `size` and `path` those of `entry` when present. */
  const recordsFor = (value: fc.Arbitrary<Record<string, string | boolean | undefined>>) =>
    fc.tuple(value, fc.nat()).map(([r, shift]) => {
      const pairs = Object.entries(r).filter((p): p is [string, string | true] => p[1] !== undefined && p[1] !== false);
      return [...pairs.slice(shift % (pairs.length || 1)), ...pairs.slice(0, shift % (pairs.length || 1))];
    });

  it('random records with accepted keys and good values parse, and a bundle carrying them reads as the plain one', async () => {
    const expected = await read(original);
    const data = entries.get('weights.json')!;
    await fc.assert(
      fc.asyncProperty(recordsFor(records), async (pairs) => {
        const concrete = pairs.map(([key, value]): [string, string] => [key, value === true ? (key === 'size' ? String(data.length) : 'weights.json') : value]);
        const parsed = parsePax(paxData(concrete), 0);
        assert.deepEqual(parsed, Object.fromEntries(concrete.filter(([k]) => k === 'size' || k === 'path').map(([k, v]) => [k, k === 'size' ? Number(v) : v])));
        assert.deepEqual(await readBundle(withBefore('weights.json', pax(concrete))), expected);
      }),
      { numRuns: 150, seed: 51 },
    );
  });

  it('random damage to a pax header: the plain bundle or a BundleError of the tar layer, never a crash', async () => {
    const expected = await read(original);
    const data = entries.get('weights.json')!;
    const good = paxData([['mtime', '1700000000.25'], ['uid', '0'], ['uname', 'root'], ['size', String(data.length)], ['path', 'weights.json']]);
    const codes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        async (flips, inserted, insertAt, cut) => {
          const damaged = Uint8Array.from(good);
          for (const [at, mask] of flips) damaged[at % damaged.length]! ^= mask;
          const at = insertAt % (damaged.length + 1);
          const spliced = Buffer.concat([damaged.subarray(0, at), inserted, damaged.subarray(at)]).subarray(0, damaged.length + inserted.length - (cut % 4));
          try {
            assert.deepEqual(await readBundle(withBefore('weights.json', pax(spliced))), expected);
            codes.add('ok');
          } catch (error) {
            assert.ok(error instanceof BundleError, `only a BundleError, received ${String(error)}`);
            assert.ok(['E_NOT_TAR', 'E_ENTRY_TYPE', 'E_ENTRY_PATH'].includes(error.code), `${error.code}: ${error.message}`);
            codes.add(error.code);
          }
        },
      ),
      { numRuns: 300, seed: 52 },
    );
    assert.ok(codes.size >= 3, `the damage reached several checks: ${[...codes].join(', ')}`);
  });
});
