import type { ArchitectureSpec } from '../../src/core/architecture.js';
import { minimumSizeIssues } from '../../src/core/architecture-checks.js';
import type { LeNetArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };
import torch from './torch.json' with { type: 'json' };

/** conv1 keeps the size, pool halves it, the unpadded 5x5 conv2 takes 4, pool halves again: >= 1 left. */
const MIN_SIZE = 12;

/** LeNet's arguments and the constraints its JSON Schema can't express. */
export default {
  name: 'LeNet',
  schema,
  torch,
  check(args) {
    return minimumSizeIssues('LeNet', args.resolution, MIN_SIZE, 'two 5x5 convolutions and two 2x2 poolings');
  },
} satisfies ArchitectureSpec<LeNetArgs>;
