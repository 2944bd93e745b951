import type { OptimizerDefinition } from '../../types.js';
import { AdamFamily } from '../adam/adam.js';
import type { AdamWArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default {
  name: 'AdamW',
  schema,
  create: (args) => new AdamFamily('AdamW', args as Required<AdamWArgs>, true),
} satisfies OptimizerDefinition<AdamWArgs>;
