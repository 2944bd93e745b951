import * as tf from '@tensorflow/tfjs';
import { ArchbundleError } from '../errors.js';
import { GroupNormalization } from './group-normalization.js';

/** The seed's 2-d normalisations: batch norm, group norm, or none. */
export type NormalizationKind = 'bn' | 'gn' | 'none';

/**
 * The seed's group count (`get_normalization2d`): the first of 32, 24, 16 — each capped at half
 * the channels — that divides the channels.
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

/**
 * A normalisation layer as the seed builds it, or null for 'none'. Batch norm uses PyTorch's
 * epsilon 1e-5 and momentum 0.1 (TF.js counts momentum the other way: 0.9). `zeroGamma` starts
 * gamma at zero, for the last normalisation of a residual branch.
 */
export function normalizationLayer(
  name: string,
  kind: NormalizationKind,
  channels: number,
  options: { zeroGamma?: boolean } = {},
): tf.layers.Layer | null {
  if (kind === 'none') return null;
  if (kind === 'gn') return new GroupNormalization({ name, groups: groupCount(channels), zeroGamma: options.zeroGamma });
  return tf.layers.batchNormalization({
    name,
    axis: -1,
    momentum: 0.9,
    epsilon: 1e-5,
    gammaInitializer: options.zeroGamma ? 'zeros' : 'ones',
  });
}
