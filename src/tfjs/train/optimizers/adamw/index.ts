import type { OptimizerDefinition } from '../../types.js';
import { AdamFamily } from '../adam/adam.js';
import type { AdamWArgs } from './args.generated.js';
import spec from './spec.js';

export default {
  ...spec,
  create: (args) => new AdamFamily('AdamW', args as Required<AdamWArgs>, true),
} satisfies OptimizerDefinition<AdamWArgs>;
