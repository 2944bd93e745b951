import type { BundleFile } from '../../src/index.js';

/** A BundleFile over bytes in memory whose reads finish in a scrambled order (as a file's may). */
export function scrambledFile(bytes: Uint8Array): BundleFile {
  let calls = 0;
  return {
    readAt: async (target, position) => {
      await new Promise((resolve) => setTimeout(resolve, (calls++ * 7) % 5));
      const part = bytes.subarray(position, position + target.length);
      target.set(part);
      return part.length;
    },
    close: async () => undefined,
  };
}
