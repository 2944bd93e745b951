/**
 * Shared memory between the worker and the watchdog: a counter bumped before every input, the
 * input's iteration, and the input's bytes. Storing them costs a copy per input and no message;
 * when the counter stops moving the parent still finds the input that blocked, even though the
 * worker's thread is stuck and can send nothing.
 */

const HEADER = 16; // Int32: beats, iteration, byte length, unused

export class Heartbeat {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER / 4);
    this.data = new Uint8Array(buffer, HEADER);
  }

  static create(maxInputBytes: number): Heartbeat {
    return new Heartbeat(new SharedArrayBuffer(HEADER + maxInputBytes));
  }

  /** Called by the worker before running input `iteration`. An input larger than the buffer is stored cut (and said so). */
  beat(iteration: number, bytes: Uint8Array): void {
    const n = Math.min(bytes.length, this.data.length);
    this.data.set(bytes.subarray(0, n));
    Atomics.store(this.header, 1, iteration);
    Atomics.store(this.header, 2, bytes.length);
    Atomics.add(this.header, 0, 1);
  }

  get beats(): number {
    return Atomics.load(this.header, 0);
  }

  /** The input being run now: its iteration, its bytes, and whether they were cut to fit. */
  current(): { iteration: number; bytes: Uint8Array; cut: boolean } {
    const length = Atomics.load(this.header, 2);
    const n = Math.min(length, this.data.length);
    return { iteration: Atomics.load(this.header, 1), bytes: this.data.slice(0, n), cut: n < length };
  }
}
