import { defineArchitecture } from '../../src/core/architecture.js';
import type { MLPArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default defineArchitecture<MLPArgs>({
  name: 'MLP',
  schema,
  build(b, args) {
    const { tf } = b;
    const { hidden, activation } = args;
    b.appendLayer('flatten', tf.layers.flatten({ name: 'flatten' }));
    hidden.forEach((units, i) => {
      const n = i + 1;
      b.appendLayer(`fc${n}`, tf.layers.dense({
        name: `fc${n}`, units, useBias: args.bias, kernelInitializer: b.kaimingNormal(activation),
      }));
      b.appendLayer(`act${n}`, b.activation(`act${n}`, activation));
      if (args.dropout) b.appendLayer(`drop${n}`, b.dropout(`drop${n}`, args.dropout));
    });
    b.appendLayer('logits', tf.layers.dense({
      name: 'logits', units: args.classes, useBias: args.bias, kernelInitializer: b.kaimingNormal(activation),
    }));
  },
});
