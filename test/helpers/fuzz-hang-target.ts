/** A fuzz target whose reader never returns on input 3, for the watchdog test (test/fuzz.test.ts). */
import type { Target } from '../../fuzz/target.js';

export const HANGS_AT = 3;

export async function createTarget(): Promise<Target> {
  return {
    name: 'hang',
    seeds: [{ name: 'seed', bytes: Uint8Array.of(1, 2, 3), hot: [] }],
    maxBytes: 64,
    generate: (rng) => Uint8Array.of(rng.int(256), rng.int(256), rng.int(256)),
    async run(_bytes, probe, iteration) {
      await probe.stage('block', () => {
        // A synchronous loop: nothing in the worker can notice it, only the watchdog outside.
        if (iteration === HANGS_AT) for (;;);
      });
    },
  };
}
