/**
 * Pulls exact byte counts out of any chunked input (a Buffer, a Node stream, a web
 * ReadableStream), without holding more than the chunk in hand.
 */
import { BundleError } from '../errors.js';

export type BundleSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export function chunksOf(source: BundleSource): AsyncIterator<Uint8Array> {
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

export class ByteSource {
  private chunk: Uint8Array = new Uint8Array(0);
  private ended = false;
  /** Bytes consumed so far (the offset of the next byte). */
  position = 0;

  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  /** Exactly `n` bytes (a view when they lie in one chunk, else a copy); E_TRUNCATED if the input ends first. */
  async read(n: number, what: string): Promise<Uint8Array> {
    if (this.chunk.length >= n) return this.take(n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.chunk.length === 0 && !(await this.pull())) this.truncated(what, n - filled);
      const part = this.take(Math.min(n - filled, this.chunk.length));
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  /** Yields exactly `n` bytes as views of the input's chunks, with no copy. */
  async *stream(n: number, what: string): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.chunk.length === 0 && !(await this.pull())) this.truncated(what, left);
      const part = this.take(Math.min(left, this.chunk.length));
      left -= part.length;
      yield part;
    }
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    while (this.chunk.length === 0) if (!(await this.pull())) return true;
    return false;
  }

  async close(): Promise<void> {
    if (!this.ended) await this.chunks.return?.();
    this.ended = true;
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

  private truncated(what: string, missing: number): never {
    throw new BundleError('E_TRUNCATED', `bundle ends inside ${what}: ${missing} more bytes expected at offset ${this.position}`);
  }
}
