import type { OptimizerSpec } from '../../types.js';
import type { RMSpropArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default { name: 'RMSprop', schema } satisfies OptimizerSpec<RMSpropArgs>;
