import type { OptimizerDefinition } from '../../types.js';
import { AdamFamily } from './adam.js';
import type { AdamArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default {
  name: 'Adam',
  schema,
  create: (args) => new AdamFamily('Adam', args as Required<AdamArgs>, false),
} satisfies OptimizerDefinition<AdamArgs>;
