/** TF.js-free helpers of the normalisation layers, so architecture modules (read by `archbundle validate`) can use them. */
import { ArchbundleError } from './errors.js';

/** The reference implementation's 2-d normalisations: batch norm, group norm, or none. */
export type NormalizationKind = 'bn' | 'gn' | 'none';

/**
 * The reference implementation's group count (`get_normalization2d`): the first of 32, 24, 16 —
 * each capped at half the channels — that divides the channels.
 */
export function groupCount(channels: number): number {
  for (const candidate of [32, 24, 16]) {
    const groups = Math.min(candidate, Math.floor(channels / 2));
    if (groups > 0 && channels % groups === 0) return groups;
  }
  throw new ArchbundleError(
    'E_INVALID_ARGS',
    `group normalisation over ${channels} channels: expected a channel count that 32, 24 or 16 groups ` +
      '(each at most half the channels) divide',
  );
}
