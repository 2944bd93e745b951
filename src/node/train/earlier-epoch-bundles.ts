/**
 * The epoch bundles a resumed run finds in its output folder: `checkpoint.keepLast` counts them
 * with the ones this session writes, so a resume (or a sweep run resumed by another worker) does
 * not leave the older ones behind. Only epochs up to the one resumed from count: a bundle of a
 * later epoch belongs to another trajectory (the run was resumed from an older bundle) and is
 * overwritten when training reaches that epoch, so it is left alone rather than pruned.
 */
import { readdir } from 'node:fs/promises';
import { epochOfBundleName } from './checkpoint-policy.js';

export async function earlierEpochBundles(output: string, resumedEpoch: number): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(output);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map(epochOfBundleName)
    .filter((epoch): epoch is number => epoch !== null && epoch <= resumedEpoch)
    .sort((a, b) => a - b);
}
