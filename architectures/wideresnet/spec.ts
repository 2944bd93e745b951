import type { ArchitectureSpec } from '../../src/core/architecture.js';
import type { Issue } from '../../src/core/errors.js';
import { groupCountIssues } from '../../src/core/architecture-checks.js';
import type { WideResNetArgs } from './args.generated.js';
import { wideResNetMigrations } from './migrations.js';
import schema from './schema.json' with { type: 'json' };
import torch from './torch.json' with { type: 'json' };

/** Planes of the stem and of the three stages. */
export function stagePlanes(channels: number, width: number): [number, number, number, number] {
  return [channels, channels * width, 2 * channels * width, 4 * channels * width];
}

/** WideResNet's arguments and the constraints its JSON Schema can't express. */
export default {
  name: 'WideResNet',
  schema,
  torch,
  migrations: wideResNetMigrations,
  check(args) {
    const issues: Issue[] = [];
    if ((args.depth - 4) % 6 !== 0) {
      issues.push({
        pointer: '/depth',
        keyword: 'depth-6n+4',
        message: `must be 6n + 4 (10, 16, 22, 28, ...), received ${args.depth}`,
      });
    }
    issues.push(...groupCountIssues(args.normalization, stagePlanes(args.channels, args.width)));
    return issues;
  },
} satisfies ArchitectureSpec<WideResNetArgs>;
