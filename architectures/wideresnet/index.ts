import type { SymbolicTensor } from '@tensorflow/tfjs';
import { defineArchitecture } from '../../src/architecture.js';
import type { Issue } from '../../src/errors.js';
import { groupCountIssues } from '../../src/architecture-checks.js';
import type { WideResNetArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };
import { wideUnit } from './units.js';

/** Planes of the stem and of the three stages. */
function stagePlanes(channels: number, width: number): [number, number, number, number] {
  return [channels, channels * width, 2 * channels * width, 4 * channels * width];
}

/**
 * The reference implementation's Wide ResNet, layer for layer. Layer names are the reference
 * implementation's PyTorch module paths: conv0, block1..block3 with units block1.0 ...
 * (block1.0.norm1, block1.0.conv1, block1.0.shortcut.0), then bn3 (or gn3), relu3, avgpool, logits.
 */
export default defineArchitecture<WideResNetArgs>({
  name: 'WideResNet',
  schema,
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
  build(b, args) {
    const { tf } = b;
    const { normalization, bias, dropout } = args;
    const n = (args.depth - 4) / 6;
    const planes = stagePlanes(args.channels, args.width);
    b.appendLayer('conv0', b.conv2d('conv0', { filters: planes[0], kernelSize: 3, bias, fanMode: 'fanOut' }));

    let inPlanes = planes[0];
    for (const stage of [1, 2, 3] as const) {
      b.appendLayer(`block${stage}`, (x: SymbolicTensor) => {
        let y = x;
        for (let j = 0; j < n; j++) {
          const stride = stage > 1 && j === 0 ? 2 : 1;
          y = wideUnit(b, { prefix: `block${stage}.${j}`, inPlanes, planes: planes[stage], stride, normalization, bias, dropout }, y);
          inPlanes = planes[stage];
        }
        return y;
      });
    }

    b.appendOptional(b.normalization(`${normalization}3`, normalization, planes[3]));
    b.appendLayer('relu3', b.activation('relu3', 'relu'));
    b.appendLayer('avgpool', tf.layers.globalAveragePooling2d({ name: 'avgpool' }));
    b.appendLayer('logits', b.dense('logits', { units: args.classes, bias }));
  },
});
