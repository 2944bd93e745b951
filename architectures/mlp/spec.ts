import type { ArchitectureSpec } from '../../src/core/architecture.js';
import type { MLPArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };
import torch from './torch.json' with { type: 'json' };

/** MLP's arguments: the schema says all there is to check. */
export default {
  name: 'MLP',
  schema,
  torch,
} satisfies ArchitectureSpec<MLPArgs>;
