import type { Migration } from '../../src/core/architecture.js';

/**
 * Version 1 numbered SimpleNet's blocks 1..13 whatever the resolution, so below 32x32 (no blocks
 * 9 and 10) its last three blocks were 11, 12, 13. The reference implementation counts the blocks
 * it builds, so there they are 9, 10, 11; version 2 names them so. The arguments are unchanged.
 */
const sequentialBlocks: Migration = {
  from: 1,
  description: 'blocks numbered as the reference implementation counts them: below 32x32 blocks 11, 12, 13 are 9, 10, 11',
  migrate: (args) => args,
  weights(args) {
    const [, height, width] = args.resolution as [number, number, number];
    if (height >= 32 && width >= 32) return {};
    // only convolutions and their normalisation hold weights; activations and pools have none
    const layers = ['conv', String(args.normalization)];
    const renames: Record<string, string> = {};
    for (const old of [11, 12, 13]) for (const layer of layers) renames[`${layer}${old}`] = `${layer}${old - 2}`;
    return renames;
  },
};

export const simpleNetMigrations: readonly Migration[] = [sequentialBlocks];
