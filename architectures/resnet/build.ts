import type { SymbolicTensor } from '@tensorflow/tfjs';
import type { ArchitectureDefinition } from '../../src/tfjs/architecture.js';
import type { ResNetArgs } from './args.generated.js';
import spec, { EXPANSION } from './spec.js';
import { residualUnit } from './units.js';

/**
 * The reference implementation's ResNet, layer for layer. Layer names are the reference
 * implementation's PyTorch module paths: conv1, bn1, block0 (a stage) with units block0.0, block0.1
 * ... whose layers are block0.0.conv1, block0.0.norm1, block0.0.downsample.0 (projection conv),
 * block0.0.downsample.1 (its norm).
 */
export default {
  ...spec,
  build(b, args) {
    const { tf } = b;
    const { normalization, bias, zeroResiduals, block } = args;
    b.append(b.conv2d('conv1', { filters: args.channels, kernelSize: 3, bias, fanMode: 'fanOut' }));
    b.append(b.normalization(`${normalization}1`, normalization, args.channels));
    b.append(b.activation('relu1', 'relu'));

    let inPlanes = args.channels;
    args.blocks.forEach((units, i) => {
      const planes = 2 ** i * args.channels;
      b.appendBlock(`block${i}`, (x: SymbolicTensor) => {
        let y = x;
        for (let j = 0; j < units; j++) {
          const stride = i > 0 && j === 0 ? 2 : 1;
          y = residualUnit(b, block, { prefix: `block${i}.${j}`, inPlanes, planes, stride, normalization, bias, zeroResiduals }, y);
          inPlanes = planes * EXPANSION[block];
        }
        return y;
      });
    });

    b.append(tf.layers.globalAveragePooling2d({ name: 'avgpool' }));
    b.append(b.dense('logits', { units: args.classes, bias }));
  },
} satisfies ArchitectureDefinition<ResNetArgs>;
