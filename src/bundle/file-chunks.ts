/**
 * A file as a stream of chunks for the reader, through two reused buffers: the next read runs
 * while the reader works on the current chunk, and no memory is allocated per chunk (fresh
 * allocations are what make Node's own read streams slow for files of hundreds of MB).
 * A chunk is valid until the next one is requested, which is how readBundle consumes them.
 */
import { open } from 'node:fs/promises';
import { EnvironmentError } from '../errors.js';

export async function openFileChunks(path: string, chunkSize = 4 << 20): Promise<AsyncGenerator<Uint8Array>> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new EnvironmentError('E_IO', `cannot open bundle ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  return chunks(handle, path, chunkSize);
}

async function* chunks(handle: import('node:fs/promises').FileHandle, path: string, chunkSize: number): AsyncGenerator<Uint8Array> {
  const buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
  const read = (i: number) => handle.read(buffers[i]!, 0, chunkSize, null);
  let current = 0;
  let pending = read(current);
  try {
    for (;;) {
      const { bytesRead } = await pending.catch((error: Error) => {
        throw new EnvironmentError('E_IO', `cannot read bundle ${path}: ${error.message}`, [], { cause: error });
      });
      if (bytesRead === 0) return;
      pending = read(1 - current);
      yield buffers[current]!.subarray(0, bytesRead);
      current = 1 - current;
    }
  } finally {
    await pending.catch(() => undefined);
    await handle.close();
  }
}
