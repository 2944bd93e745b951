import type { SymbolicTensor } from '@tensorflow/tfjs';
import type { ArchitectureDefinition } from '../../src/tfjs/architecture.js';
import type { WideResNetArgs } from './args.generated.js';
import spec, { stagePlanes } from './spec.js';
import { wideUnit } from './units.js';

/**
 * The reference implementation's Wide ResNet, layer for layer. Layer names are the reference
 * implementation's PyTorch module paths: conv0, block1..block3 with units block1.0 ...
 * (block1.0.norm1, block1.0.conv1, block1.0.shortcut.0), then bn3 (or gn3), relu3, avgpool, logits.
 */
export default {
  ...spec,
  build(b, args) {
    const { tf } = b;
    const { normalization, bias, dropout } = args;
    const n = (args.depth - 4) / 6;
    const planes = stagePlanes(args.channels, args.width);
    b.append(b.conv2d('conv0', { filters: planes[0], kernelSize: 3, bias, fanMode: 'fanOut' }));

    let inPlanes = planes[0];
    for (const stage of [1, 2, 3] as const) {
      b.appendBlock(`block${stage}`, (x: SymbolicTensor) => {
        let y = x;
        for (let j = 0; j < n; j++) {
          const stride = stage > 1 && j === 0 ? 2 : 1;
          y = wideUnit(b, { prefix: `block${stage}.${j}`, inPlanes, planes: planes[stage], stride, normalization, bias, dropout, activatedShortcut: args.shortcut === 'activated' }, y);
          inPlanes = planes[stage];
        }
        return y;
      });
    }

    b.append(b.normalization(`${normalization}3`, normalization, planes[3]));
    b.append(b.activation('relu3', 'relu'));
    b.append(tf.layers.globalAveragePooling2d({ name: 'avgpool' }));
    b.append(b.dense('logits', { units: args.classes, bias }));
  },
} satisfies ArchitectureDefinition<WideResNetArgs>;
