import type { OptimizerSpec } from '../../types.js';
import type { AdamWArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default { name: 'AdamW', schema } satisfies OptimizerSpec<AdamWArgs>;
