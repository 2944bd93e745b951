/**
 * Bundles that standard tools write (docs/bundle-format.md §1): the strict reader takes the
 * dialects of tar that a bundle comes back in after it was unpacked and re-packed, and still
 * refuses every hostile variant of them with the codes of §6.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { craftTar, GNU_MAGIC, splitTar, type CraftEntry } from './helpers/tar-craft.js';
import { tempDir } from './helpers/tempdir.js';
import { ArchbundleError, openBundleFile, readBundle, seedRandom, State, type BundleContents } from '../src/index.js';
import { instantiate } from '../src/train.js';

const RECORD = 10240;
const folder = tempDir('archbundle-tar-variants-');
let original: Uint8Array;
let entries: Map<string, Uint8Array>;

before(async () => {
  await useTestBackend();
  seedRandom(17);
  const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
  original = await new State(model, undefined, undefined, 2).toBytes();
  model.dispose();
  entries = await splitTar(original);
});

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
