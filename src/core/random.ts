/**
 * Seeds for everything random in archbundle (weight initialisers, dropout masks, data order).
 * TF.js draws from Math.random unless given a seed, which makes runs unrepeatable; every layer
 * and loop here asks this stream for a seed instead. The stream is a counter hashed with the
 * run's seed, so its whole state is two integers and is saved in a bundle's training state:
 * a resumed run draws the same seeds it would have drawn without the interruption.
 */

export interface RandomState {
  seed: number;
  counter: number;
}

let state: RandomState = { seed: 0, counter: 0 };

export function seedRandom(seed: number): void {
  state = { seed: seed >>> 0, counter: 0 };
}

export function getRandomState(): RandomState {
  return { ...state };
}

export function setRandomState(next: RandomState): void {
  state = { seed: next.seed >>> 0, counter: next.counter };
}

/** The next seed of the stream: a 31-bit non-negative integer. */
export function nextSeed(): number {
  const value = mix(state.seed, state.counter);
  state.counter += 1;
  return value;
}

/** A deterministic uniform generator in [0, 1) seeded from the stream (for shuffles and the like). */
export function uniformGenerator(seed: number = nextSeed()): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(seed: number, counter: number): number {
  // splitmix32-style finaliser over (seed, counter)
  let h = (seed ^ Math.imul(counter + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) & 0x7fffffff;
}
