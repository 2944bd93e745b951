import { defineArchitecture } from 'archbundle';
import type { TinyCNNArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export const tinyCnn = defineArchitecture<TinyCNNArgs>({
  name: 'TinyCNN', // the class name stored in a bundle's arch.json
  schema,
  // Constraints JSON Schema can't express: return issues with a JSON pointer.
  check(args) {
    const [, height, width] = args.resolution;
    return Math.min(height, width) < args.kernelSize
      ? [{ pointer: '/kernelSize', keyword: 'fits-input', message: `must not exceed the input size ${height}x${width}` }]
      : [];
  },
  // args is complete here: every default is filled in.
  build(b, args) {
    const { tf } = b; // TF.js comes from the builder: this file never imports it
    b.append(b.conv2d('conv1', { filters: args.filters, kernelSize: args.kernelSize, bias: args.bias, activation: args.activation }));
    b.append(b.activation('act1', args.activation));
    b.append(tf.layers.globalAveragePooling2d({ name: 'pool' }));
    b.append(b.dense('logits', { units: args.classes, bias: args.bias }));
  },
});
