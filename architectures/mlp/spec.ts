import type { ArchitectureSpec } from '../../src/core/architecture.js';
import type { MLPArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

/** MLP's arguments: the schema says all there is to check. */
export default {
  name: 'MLP',
  schema,
} satisfies ArchitectureSpec<MLPArgs>;
