/**
 * writeFileAtomic with enough bytes to start background flushes (datasync while later chunks
 * are written): the file holds exactly the bytes, and a source failing mid-way, after a flush
 * started, leaves the previous file and no temp file behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArchbundleError } from '../src/index.js';
import { writeFileAtomic } from '../src/node/files/atomic-file.js';

const CHUNK = 8 << 20;
let folder: string;

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'archbundle-flush-'));
});

after(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Six distinct 8 MiB chunks (48 MiB, past the 32 MiB early-flush threshold), then an optional failure. */
async function* chunks(failAfter?: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < 6; i++) {
    if (i === failAfter) throw new ArchbundleError('E_INVALID_ARGS', `source failed at chunk ${i}`);
    const chunk = new Uint8Array(CHUNK).fill(i + 1);
    chunk[0] = 200 + i;
    yield chunk;
  }
}

function expected(): Buffer {
  const out = Buffer.alloc(6 * CHUNK);
  for (let i = 0; i < 6; i++) {
    out.fill(i + 1, i * CHUNK, (i + 1) * CHUNK);
    out[i * CHUNK] = 200 + i;
  }
  return out;
}

describe('atomic write with background flushes', () => {
  it('writes exactly the streamed bytes, with and without fsync', async () => {
    const path = join(folder, 'big.bin');
    await writeFileAtomic(path, chunks());
    assert.ok((await readFile(path)).equals(expected()));
    await writeFileAtomic(path, chunks(), { fsync: false });
    assert.ok((await readFile(path)).equals(expected()));
    assert.deepEqual(await readdir(folder), ['big.bin']);
  });

  it('keeps the previous file when the source fails after a flush started', async () => {
    const path = join(folder, 'kept.bin');
    await writeFile(path, 'previous');
    await assert.rejects(writeFileAtomic(path, chunks(5)), (e: unknown) => e instanceof ArchbundleError && e.code === 'E_INVALID_ARGS');
    assert.equal(await readFile(path, 'utf8'), 'previous');
    assert.deepEqual((await readdir(folder)).filter((n) => n.includes('kept')), ['kept.bin']);
  });
});
