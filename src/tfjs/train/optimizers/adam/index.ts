import type { OptimizerDefinition } from '../../types.js';
import { AdamFamily } from './adam.js';
import type { AdamArgs } from './args.generated.js';
import spec from './spec.js';

export default {
  ...spec,
  create: (args) => new AdamFamily('Adam', args as Required<AdamArgs>, false),
} satisfies OptimizerDefinition<AdamArgs>;
