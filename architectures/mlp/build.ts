import type { ArchitectureDefinition } from '../../src/tfjs/architecture.js';
import type { MLPArgs } from './args.generated.js';
import spec from './spec.js';

export default {
  ...spec,
  build(b, args) {
    const { tf } = b;
    const { hidden, activation } = args;
    b.append(tf.layers.flatten({ name: 'flatten' }));
    hidden.forEach((units, i) => {
      const n = i + 1;
      b.append(tf.layers.dense({
        name: `fc${n}`, units, useBias: args.bias, kernelInitializer: b.kaimingNormal(activation),
      }));
      b.append(b.activation(`act${n}`, activation));
      if (args.dropout) b.append(b.dropout(`drop${n}`, args.dropout));
    });
    b.append(tf.layers.dense({
      name: 'logits', units: args.classes, useBias: args.bias, kernelInitializer: b.kaimingNormal(activation),
    }));
  },
} satisfies ArchitectureDefinition<MLPArgs>;
