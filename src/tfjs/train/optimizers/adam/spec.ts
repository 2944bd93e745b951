import type { OptimizerSpec } from '../../types.js';
import type { AdamArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default { name: 'Adam', schema } satisfies OptimizerSpec<AdamArgs>;
