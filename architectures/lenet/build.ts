import type { ArchitectureDefinition } from '../../src/tfjs/architecture.js';
import type { LeNetArgs } from './args.generated.js';
import spec from './spec.js';

/**
 * LeNet-5 adapted to the input size. The reference implementation has no LeNet; this follows LeCun
 * et al. (1998) with the common MNIST adaptation (conv1 padded to keep 28x28): conv1 (5x5, same),
 * act1, pool1 (2x2), conv2 (5x5, valid), act2, pool2, flatten, fc1, act3, fc2, act4, logits.
 */
export default {
  ...spec,
  build(b, args) {
    const { tf } = b;
    const { activation, bias } = args;
    const pool = (name: string) =>
      args.pooling === 'max'
        ? tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2 })
        : tf.layers.averagePooling2d({ name, poolSize: 2, strides: 2 });
    const [filters1, filters2] = args.filters;
    b.append(b.conv2d('conv1', { filters: filters1, kernelSize: 5, bias, activation, padding: 'same' }));
    b.append(b.activation('act1', activation));
    b.append(pool('pool1'));
    b.append(b.conv2d('conv2', { filters: filters2, kernelSize: 5, bias, activation, padding: 'valid' }));
    b.append(b.activation('act2', activation));
    b.append(pool('pool2'));
    b.append(tf.layers.flatten({ name: 'flatten' }));
    args.units.forEach((units, i) => {
      b.append(b.dense(`fc${i + 1}`, { units, bias, activation }));
      b.append(b.activation(`act${i + 3}`, activation));
    });
    b.append(b.dense('logits', { units: args.classes, bias, activation }));
  },
} satisfies ArchitectureDefinition<LeNetArgs>;
