/**
 * Reads an entry's bytes into their destinations while hashing them in order: up to the
 * reader's parallelism of pieces are in flight, and each is hashed (then checked) once it and
 * every piece before it have arrived. `close` waits out whatever is still in flight, so that a
 * destination may be freed once the pipeline is closed, even after a failure.
 */
import { ArchbundleError } from '../errors.js';
import type { ByteReader } from './byte-source.js';
import type { Hasher } from './hash.js';

/**
 * 1 MiB: a piece just written by a read (on another thread) is still in the cache when it is
 * hashed, which made the hash of a 256 MiB load about twice as fast as with 4 MiB pieces
 * (bench/io.ts and docs/benchmarks.md), with PIECE × parallelism of reads kept in flight.
 */
const PIECE = 1 << 20;

/** Runs once a piece is hashed; `offset` is the piece's place in the entry. */
type PieceCheck = (bytes: Uint8Array, offset: number) => void;

interface Piece {
  bytes: Uint8Array;
  length: number;
  arrived: Promise<void>;
  check?: PieceCheck;
  scratch: boolean;
}

export class ReadPipeline {
  private readonly inFlight: Piece[] = [];
  private readonly spare: Uint8Array[] = [];
  private hashed = 0;

  constructor(private readonly reader: ByteReader, private readonly hash: Hasher, private readonly what: string) {}

  /** Reads the next `target.length` bytes into `target`. */
  async fill(target: Uint8Array): Promise<void> {
    for (let at = 0; at < target.length; at += PIECE) await this.push(target.subarray(at, at + PIECE), false);
  }

  /** Reads the next `n` bytes into scratch memory, only to hash and check them. */
  async skip(n: number, check?: PieceCheck): Promise<void> {
    for (let left = n; left > 0; left -= PIECE) {
      const buffer = this.spare.pop() ?? new Uint8Array(PIECE);
      await this.push(buffer.subarray(0, Math.min(left, PIECE)), true, check);
    }
  }

  /** Hashes and checks every piece in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  /** Waits until no read is in flight (after a failure, without hashing what arrives). */
  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight.map((piece) => piece.arrived));
    this.inFlight.length = 0;
  }

  private async push(bytes: Uint8Array, scratch: boolean, check?: PieceCheck): Promise<void> {
    while (this.inFlight.length >= this.reader.parallelism) await this.settleOldest();
    const length = bytes.length;
    const arrived = this.reader.readInto(bytes, this.what);
    arrived.catch(() => undefined); // awaited in order later; until then its failure is not unhandled
    this.inFlight.push({ bytes, length, arrived, check, scratch });
  }

  private async settleOldest(): Promise<void> {
    const piece = this.inFlight[0]!;
    await piece.arrived;
    this.inFlight.shift();
    if (piece.bytes.length !== piece.length) {
      // a view of wasm memory empties when the memory grows, i.e. when a tensor is allocated
      throw new ArchbundleError('E_IO', `the memory receiving ${this.what} moved during the read; was a TF.js op run during the load?`);
    }
    this.hash.update(piece.bytes);
    piece.check?.(piece.bytes, this.hashed);
    this.hashed += piece.bytes.length;
    if (piece.scratch) this.spare.push(new Uint8Array(piece.bytes.buffer, 0, PIECE));
  }
}
