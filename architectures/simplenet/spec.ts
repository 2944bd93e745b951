import type { ArchitectureSpec } from '../../src/core/architecture.js';
import { groupCountIssues, minimumSizeIssues } from '../../src/core/architecture-checks.js';
import type { SimpleNetArgs } from './args.generated.js';
import { simpleNetMigrations } from './migrations.js';
import { simpleNetPlan } from './plan.js';
import schema from './schema.json' with { type: 'json' };
import torch from './torch.json' with { type: 'json' };

/** Four 2x2 poolings leave at least one pixel. */
const MIN_SIZE = 16;

/** SimpleNet's arguments and the constraints its JSON Schema can't express. */
export default {
  name: 'SimpleNet',
  schema,
  torch,
  migrations: simpleNetMigrations,
  check(args) {
    const [, height, width] = args.resolution;
    return [
      ...minimumSizeIssues('SimpleNet', args.resolution, MIN_SIZE, 'four 2x2 poolings'),
      ...groupCountIssues(args.normalization, simpleNetPlan(args.channels, height, width).map((p) => p.filters)),
    ];
  },
} satisfies ArchitectureSpec<SimpleNetArgs>;
