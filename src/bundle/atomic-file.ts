/**
 * Atomic file replacement: write a temp file in the target's folder, fsync it, rename it over
 * the target, fsync the folder. A crash at any moment leaves either the old file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArchbundleError, EnvironmentError } from '../errors.js';

export async function writeFileAtomic(path: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (error) {
    throw new EnvironmentError('E_IO', `cannot create a temp file in ${folder}: ${(error as Error).message}`, [], { cause: error });
  }
  try {
    for await (const chunk of chunks) {
      let at = 0;
      while (at < chunk.byteLength) at += (await handle.write(chunk, at, chunk.byteLength - at)).bytesWritten;
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    if (error instanceof ArchbundleError) throw error;
    throw new EnvironmentError('E_IO', `cannot write ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  await syncFolder(folder);
}

/** Makes the rename itself durable; some systems cannot open folders for sync, which is not an error. */
async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // e.g. EISDIR/EPERM on platforms without directory fsync
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
