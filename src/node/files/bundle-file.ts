/**
 * Opens a bundle on disk for the reader. A regular file is read at offsets, several reads in
 * flight, each straight into the memory that keeps the bytes (a tensor's storage); anything
 * else (a pipe, a device) is read as a stream.
 */
import './node-sha256.js';
import { open, type FileHandle } from 'node:fs/promises';
import { EnvironmentError } from '../../core/errors.js';
import type { BundleFile, BundleSource } from '../../core/bundle/byte-source.js';

export async function openBundleFile(path: string): Promise<BundleSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw ioError(`cannot open bundle ${path}`, error);
  }
  if ((await handle.stat()).isFile()) return new NodeBundleFile(handle, path);
  return handle.createReadStream({ highWaterMark: 1 << 20 });
}

class NodeBundleFile implements BundleFile {
  constructor(private readonly handle: FileHandle, private readonly path: string) {}

  async readAt(target: Uint8Array, position: number): Promise<number> {
    let filled = 0;
    try {
      while (filled < target.length) {
        const { bytesRead } = await this.handle.read(target, filled, target.length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      throw ioError(`cannot read bundle ${this.path}`, error);
    }
    return filled;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

function ioError(what: string, error: unknown): EnvironmentError {
  return new EnvironmentError('E_IO', `${what}: ${(error as Error).message}`, [], { cause: error });
}
