import * as tf from '@tensorflow/tfjs';
import { groupCount } from '../../core/group-count.js';
import { BatchNormalization } from './batch-normalization.js';
import { GroupNormalization } from './group-normalization.js';

export { groupCount };

export type { NormalizationKind } from '../../core/group-count.js';
import type { NormalizationKind } from '../../core/group-count.js';

/**
 * A normalisation layer as the reference implementation builds it, or null for 'none'. Batch
 * norm uses PyTorch's epsilon 1e-5 and momentum 0.1 (TF.js counts momentum the other way: 0.9).
 * `zeroGamma` starts gamma at zero, for the last normalisation of a residual branch.
 */
export function normalizationLayer(
  name: string,
  kind: NormalizationKind,
  channels: number,
  options: { zeroGamma?: boolean } = {},
): tf.layers.Layer | null {
  if (kind === 'none') return null;
  if (kind === 'gn') return new GroupNormalization({ name, groups: groupCount(channels), zeroGamma: options.zeroGamma });
  return new BatchNormalization({
    name,
    axis: -1,
    momentum: 0.9,
    epsilon: 1e-5,
    gammaInitializer: options.zeroGamma ? 'zeros' : 'ones',
  });
}
