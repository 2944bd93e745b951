/**
 * The fuzzer's only source of randomness: a small seeded PRNG (sfc32), so that a campaign is a
 * pure function of its seed. Each input gets its own generator from (seed, target, iteration),
 * so input i can be rebuilt without replaying inputs 0..i-1 (a worker restarted after a hang
 * resumes where it stopped, and a finding is reproduced by its iteration alone).
 */

/** 32-bit FNV-1a of a string, to fold a target's name into the seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** splitmix32: spreads small, similar seeds (0, 1, 2...) over the whole state space. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seeds: number[]) {
    let h = 0x6a09e667;
    for (const s of seeds) h = splitmix32(h ^ (s >>> 0) ^ Math.floor(s / 2 ** 32));
    this.a = splitmix32(h);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32(); // leave the correlated start behind
  }

  /** The generator of one input of one target's campaign. */
  static forInput(seed: number, target: string, iteration: number): Rng {
    return new Rng(seed, fnv1a(target), iteration);
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n); n ≤ 2^32. */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }

  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new RangeError('pick from an empty list');
    return list[this.int(list.length)]!;
  }

  /** Small values much more often than large ones: lengths of inserted runs, numbers of edits. */
  small(max: number): number {
    return Math.min(max, this.int(1 << this.int(Math.max(1, Math.ceil(Math.log2(max + 1))) + 1)));
  }
}
