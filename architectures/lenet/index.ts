import { defineArchitecture } from '../../src/architecture.js';
import { minimumSizeIssues } from '../../src/architecture-checks.js';
import type { LeNetArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

/** conv1 keeps the size, pool halves it, the unpadded 5x5 conv2 takes 4, pool halves again: >= 1 left. */
const MIN_SIZE = 12;

/**
 * LeNet-5 adapted to the input size. The reference implementation has no LeNet; this follows LeCun
 * et al. (1998) with the common MNIST adaptation (conv1 padded to keep 28x28): conv1 (5x5, same),
 * act1, pool1 (2x2), conv2 (5x5, valid), act2, pool2, flatten, fc1, act3, fc2, act4, logits.
 */
export default defineArchitecture<LeNetArgs>({
  name: 'LeNet',
  schema,
  check(args) {
    return minimumSizeIssues('LeNet', args.resolution, MIN_SIZE, 'two 5x5 convolutions and two 2x2 poolings');
  },
  build(b, args) {
    const { tf } = b;
    const { activation, bias } = args;
    const pool = (name: string) =>
      args.pooling === 'max'
        ? tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2 })
        : tf.layers.averagePooling2d({ name, poolSize: 2, strides: 2 });
    const [filters1, filters2] = args.filters;
    b.appendLayer('conv1', b.conv2d('conv1', { filters: filters1, kernelSize: 5, bias, activation, padding: 'same' }));
    b.appendLayer('act1', b.activation('act1', activation));
    b.appendLayer('pool1', pool('pool1'));
    b.appendLayer('conv2', b.conv2d('conv2', { filters: filters2, kernelSize: 5, bias, activation, padding: 'valid' }));
    b.appendLayer('act2', b.activation('act2', activation));
    b.appendLayer('pool2', pool('pool2'));
    b.appendLayer('flatten', tf.layers.flatten({ name: 'flatten' }));
    args.units.forEach((units, i) => {
      b.appendLayer(`fc${i + 1}`, b.dense(`fc${i + 1}`, { units, bias, activation }));
      b.appendLayer(`act${i + 3}`, b.activation(`act${i + 3}`, activation));
    });
    b.appendLayer('logits', b.dense('logits', { units: args.classes, bias, activation }));
  },
});
