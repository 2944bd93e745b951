/**
 * Bounded little-endian reads over bytes held in memory. Every read checks the byte count left
 * before it slices, so a length field can never make the reader allocate or run past the end;
 * running out is E_TRUNCATED, naming the stream, the field and the offset.
 */
import { ForeignFormatError } from '../errors.js';

const SCRATCH = new Uint8Array(8);
const SCRATCH_VIEW = new DataView(SCRATCH.buffer);

export class ByteCursor {
  position: number;

  /**
   * @param what the stream, for messages ("data.pkl", "the legacy checkpoint")
   * @param start first byte to read; @param end one past the last byte this cursor may read
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    start = 0,
    readonly end = bytes.length,
    /** The code for running out: E_TRUNCATED for a file's own bytes, E_TORCH_FORMAT for a structure inside a file that is complete. */
    private readonly shortCode: 'E_TRUNCATED' | 'E_TORCH_FORMAT' = 'E_TRUNCATED',
  ) {
    this.position = start;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  /** The next `n` bytes (a view, not a copy). `n` may be a bigint read from the file: it is checked before any use. */
  take(n: number | bigint, field: string): Uint8Array {
    const at = this.advance(n, field);
    return this.bytes.subarray(at, this.position);
  }

  u8(field: string): number {
    return this.bytes[this.advance(1, field)]!;
  }

  u16(field: string): number {
    const at = this.advance(2, field);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8);
  }

  u32(field: string): number {
    const b = this.bytes;
    const at = this.advance(4, field);
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }

  i32(field: string): number {
    const b = this.bytes;
    const at = this.advance(4, field);
    return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
  }

  /** An unsigned 64-bit count, exactly. */
  u64(field: string): bigint {
    const low = this.u32(field);
    return (BigInt(this.u32(field)) << 32n) | BigInt(low);
  }

  /** Moves past `n` bytes, or throws if fewer are left; returns where they start. */
  private advance(n: number | bigint, field: string): number {
    if (!(n <= this.remaining) || (typeof n === 'number' && !Number.isInteger(n))) {
      throw new ForeignFormatError(
        this.shortCode,
        `${this.what} ends inside ${field} at byte ${this.position}: expected ${n} bytes, ${this.remaining} left`,
      );
    }
    const at = this.position;
    this.position += Number(n);
    return at;
  }

  /** An IEEE double stored big-endian (pickle's BINFLOAT). */
  f64be(field: string): number {
    SCRATCH.set(this.take(8, field));
    return SCRATCH_VIEW.getFloat64(0, false);
  }
}
