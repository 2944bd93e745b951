/**
 * Atomic file replacement: write a temp file in the target's folder, fsync it, rename it over
 * the target, fsync the folder. A crash at any moment leaves either the old file or the new one.
 * Bundle saves and dataset downloads both write through here.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArchbundleError, EnvironmentError } from '../../core/errors.js';

/** Unsynced bytes after which a save starts flushing them in the background. */
const EARLY_FLUSH_BYTES = 32 << 20;

export interface AtomicWriteOptions {
  /**
   * Default true: fsync the file before the rename and the folder after it, so the new bundle
   * survives a power loss. Without it the replacement is still atomic for crashes of the
   * process, and faster where fsync is slow.
   */
  fsync?: boolean;
}

/** The temp file's name for `target`: ".<target>.<pid>.<random>.tmp", hidden and unique per write. */
function tempName(target: string): string {
  return `.${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Whether `name` is a temp file of writeFileAtomic's (left behind when its process was killed mid-write). */
export function isAtomicWriteTemp(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/.test(name);
}

/** Writes `chunks` (a stream, or e.g. `[bytes]` when the whole content is in memory) to `path` atomically. */
export async function writeFileAtomic(
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const durable = options.fsync ?? true;
  const folder = dirname(path);
  const temp = join(folder, tempName(basename(path)));
  let handle;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (error) {
    throw new EnvironmentError('E_IO', `cannot create a temp file in ${folder}: ${(error as Error).message}`, [], { cause: error });
  }
  try {
    const flusher = durable ? new EarlyFlush(handle) : undefined;
    try {
      for await (const chunk of chunks) {
        let at = 0;
        while (at < chunk.byteLength) at += (await handle.write(chunk, at, chunk.byteLength - at)).bytesWritten;
        flusher?.written(chunk.byteLength);
      }
    } catch (error) {
      await flusher?.settle().catch(() => undefined); // no flush may outlive the handle
      throw error;
    }
    await flusher?.settle();
    if (durable) await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    if (error instanceof ArchbundleError) throw error;
    throw new EnvironmentError('E_IO', `cannot write ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  if (durable) await syncFolder(folder);
}

/**
 * Starts writing data back to disk while later chunks are still being produced, so that the
 * disk works while the bundle writer hashes on the main thread and the final fsync has little
 * left to wait for.
 * At most one datasync runs at a time; the final fsync still covers everything.
 */
class EarlyFlush {
  private unsynced = 0;
  private running: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly handle: FileHandle) {}

  written(bytes: number): void {
    this.unsynced += bytes;
    if (this.running || this.unsynced < EARLY_FLUSH_BYTES) return;
    this.unsynced = 0;
    this.running = this.handle.datasync().then(
      () => void (this.running = undefined),
      (error: unknown) => {
        this.failure ??= error;
        this.running = undefined;
      },
    );
  }

  /** Waits for the flush in progress; throws if any flush failed. */
  async settle(): Promise<void> {
    await this.running;
    if (this.failure) throw this.failure;
  }
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
