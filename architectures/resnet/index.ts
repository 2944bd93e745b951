import type { SymbolicTensor } from '@tensorflow/tfjs';
import { defineArchitecture } from '../../src/architecture.js';
import { groupCountIssues } from '../../src/architecture-checks.js';
import type { ResNetArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };
import { EXPANSION, residualUnit } from './units.js';

/** Every channel count a ResNet normalises: the stem's and each stage's planes and expanded planes. */
function normalizedWidths(args: { channels: number; blocks: number[]; block: 'basic' | 'bottleneck' }): number[] {
  return [args.channels, ...args.blocks.flatMap((_, i) => [2 ** i * args.channels, 2 ** i * args.channels * EXPANSION[args.block]])];
}

/**
 * The reference implementation's ResNet, layer for layer. Layer names are the reference
 * implementation's PyTorch module paths: conv1, bn1, block0 (a stage) with units block0.0, block0.1
 * ... whose layers are block0.0.conv1, block0.0.norm1, block0.0.downsample.0 (projection conv),
 * block0.0.downsample.1 (its norm).
 */
export default defineArchitecture<ResNetArgs>({
  name: 'ResNet',
  schema,
  check(args) {
    return groupCountIssues(args.normalization, normalizedWidths(args));
  },
  build(b, args) {
    const { tf } = b;
    const { normalization, bias, zeroResiduals, block } = args;
    b.appendLayer('conv1', b.conv2d('conv1', { filters: args.channels, kernelSize: 3, bias, fanMode: 'fanOut' }));
    b.appendOptional(b.normalization(`${normalization}1`, normalization, args.channels));
    b.appendLayer('relu1', b.activation('relu1', 'relu'));

    let inPlanes = args.channels;
    args.blocks.forEach((units, i) => {
      const planes = 2 ** i * args.channels;
      b.appendLayer(`block${i}`, (x: SymbolicTensor) => {
        let y = x;
        for (let j = 0; j < units; j++) {
          const stride = i > 0 && j === 0 ? 2 : 1;
          y = residualUnit(b, block, { prefix: `block${i}.${j}`, inPlanes, planes, stride, normalization, bias, zeroResiduals }, y);
          inPlanes = planes * EXPANSION[block];
        }
        return y;
      });
    });

    b.appendLayer('avgpool', tf.layers.globalAveragePooling2d({ name: 'avgpool' }));
    b.appendLayer('logits', b.dense('logits', { units: args.classes, bias }));
  },
});
