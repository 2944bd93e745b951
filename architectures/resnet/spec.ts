import type { ArchitectureSpec } from '../../src/core/architecture.js';
import { groupCountIssues } from '../../src/core/architecture-checks.js';
import type { ResNetArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };
import torch from './torch.json' with { type: 'json' };

export type UnitKind = 'basic' | 'bottleneck';

/** Output planes of a unit per input plane of its stage. */
export const EXPANSION: Record<UnitKind, number> = { basic: 1, bottleneck: 4 };

/** Every channel count a ResNet normalises: the stem's and each stage's planes and expanded planes. */
function normalizedWidths(args: { channels: number; blocks: number[]; block: UnitKind }): number[] {
  return [args.channels, ...args.blocks.flatMap((_, i) => [2 ** i * args.channels, 2 ** i * args.channels * EXPANSION[args.block]])];
}

/** ResNet's arguments and the constraints its JSON Schema can't express. */
export default {
  name: 'ResNet',
  schema,
  torch,
  check(args) {
    return groupCountIssues(args.normalization, normalizedWidths(args));
  },
} satisfies ArchitectureSpec<ResNetArgs>;
