/**
 * Pulls exact byte counts out of a bundle input: a Buffer, a Node stream or a web
 * ReadableStream (chunk by chunk, holding no more than the chunk in hand), or a `BundleFile`
 * that reads at given offsets (so several reads can be in flight at once).
 */
import { BundleError } from '../errors.js';

/** Random access to a bundle's bytes; `openBundleFile` gives one for a file on disk. */
export interface BundleFile {
  /** Fills `target` from `position` on; resolves to the byte count read, less only at the end of the file. */
  readAt(target: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

export type BundleSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array> | BundleFile;

/** The reader's view of a bundle input; it reads every byte once, in order. */
export interface ByteReader {
  /** The offset of the next byte to read. */
  readonly position: number;
  /** How many `readInto` calls are worth keeping in flight. */
  readonly parallelism: number;
  /** Exactly `n` bytes; E_TRUNCATED if the input ends first. */
  read(n: number, what: string): Promise<Uint8Array>;
  /** Up to `n` bytes: fewer only when the input ends first. */
  readAtMost(n: number): Promise<Uint8Array>;
  /** Fills `target` with the next bytes. Calls may overlap; each takes its bytes in call order. */
  readInto(target: Uint8Array, what: string): Promise<void>;
  /** True when no byte is left. */
  atEnd(): Promise<boolean>;
  close(): Promise<void>;
}

export function byteReader(source: BundleSource): ByteReader {
  if (isBundleFile(source)) return new FileReader(source);
  return new ChunkReader(chunksOf(source));
}

function isBundleFile(source: BundleSource): source is BundleFile {
  return typeof (source as Partial<BundleFile>).readAt === 'function';
}

function chunksOf(source: Exclude<BundleSource, BundleFile>): AsyncIterator<Uint8Array> {
  if (source instanceof Uint8Array) return (async function* () { yield source; })();
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? { done: true, value: undefined } : { done: false, value };
    },
    async return() {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

function truncated(what: string, missing: number, at: number): never {
  throw new BundleError('E_TRUNCATED', `bundle ends inside ${what}: ${missing} more bytes expected at offset ${at}`);
}

/** Reads a sequential input; overlapping `readInto` calls simply run one after the other. */
class ChunkReader implements ByteReader {
  readonly parallelism = 1;
  position = 0;
  private chunk: Uint8Array = new Uint8Array(0);
  private ended = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  async read(n: number, what: string): Promise<Uint8Array> {
    await this.queue;
    if (this.chunk.length >= n) return this.take(n);
    const out = new Uint8Array(n);
    await this.copyInto(out, what);
    return out;
  }

  async readAtMost(n: number): Promise<Uint8Array> {
    await this.queue;
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n && (this.chunk.length > 0 || (await this.pull()))) {
      const part = this.take(Math.min(n - filled, this.chunk.length));
      out.set(part, filled);
      filled += part.length;
    }
    return out.subarray(0, filled);
  }

  readInto(target: Uint8Array, what: string): Promise<void> {
    const done = this.queue.then(() => this.copyInto(target, what));
    this.queue = done.catch(() => undefined);
    return done;
  }

  async atEnd(): Promise<boolean> {
    await this.queue;
    while (this.chunk.length === 0) if (!(await this.pull())) return true;
    return false;
  }

  async close(): Promise<void> {
    if (!this.ended) await this.chunks.return?.();
    this.ended = true;
  }

  private async copyInto(target: Uint8Array, what: string): Promise<void> {
    let filled = 0;
    while (filled < target.length) {
      if (this.chunk.length === 0 && !(await this.pull())) truncated(what, target.length - filled, this.position);
      const part = this.take(Math.min(target.length - filled, this.chunk.length));
      target.set(part, filled);
      filled += part.length;
    }
  }

  private take(n: number): Uint8Array {
    const part = this.chunk.subarray(0, n);
    this.chunk = this.chunk.subarray(n);
    this.position += n;
    return part;
  }

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const { done, value } = await this.chunks.next();
    if (done) {
      this.ended = true;
      return false;
    }
    if (!(value instanceof Uint8Array)) {
      throw new BundleError('E_NOT_TAR', `bundle input must yield bytes, received ${typeof value}`);
    }
    this.chunk = value;
    return true;
  }
}

/**
 * Reads a `BundleFile` at offsets: each `readInto` claims its range at once, so overlapping
 * calls read in parallel (on a file, Node's thread pool takes the copy and the page faults of
 * fresh memory off the main thread).
 */
class FileReader implements ByteReader {
  /** 8 reads of a 1 MiB piece in flight keep the thread pool ahead of the hash (see read-pipeline.ts). */
  readonly parallelism = 8;
  position = 0;

  constructor(private readonly file: BundleFile) {}

  async read(n: number, what: string): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    await this.readInto(out, what);
    return out;
  }

  async readAtMost(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    const got = n === 0 ? 0 : await this.file.readAt(out, this.position);
    this.position += got;
    return out.subarray(0, got);
  }

  async readInto(target: Uint8Array, what: string): Promise<void> {
    const at = this.position;
    this.position += target.length;
    const got = target.length === 0 ? 0 : await this.file.readAt(target, at);
    if (got < target.length) truncated(what, target.length - got, at + got);
  }

  async atEnd(): Promise<boolean> {
    return (await this.file.readAt(new Uint8Array(1), this.position)) === 0;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
