import type { ArchitectureDefinition } from '../../src/tfjs/architecture.js';
import type { SimpleNetArgs } from './args.generated.js';
import { simpleNetPlan } from './plan.js';
import spec from './spec.js';

/**
 * The reference implementation's SimpleNet, layer for layer. Layer names follow the reference
 * implementation's `append_layer` names (conv1, bn1, relu1, pool4, drop4, ..., logits), so weights
 * read `conv1/kernel`, `bn1/gamma`.
 */
export default {
  ...spec,
  build(b, args) {
    const { tf } = b;
    const { activation, normalization, dropout, bias } = args;
    const [, height, width] = args.resolution;
    let pools = 0;
    let last = 0;
    for (const { block, filters, kernelSize, pool } of simpleNetPlan(args.channels, height, width)) {
      b.append(b.conv2d(`conv${block}`, { filters, kernelSize, bias, activation }));
      b.append(b.normalization(`${normalization}${block}`, normalization, filters));
      b.append(b.activation(`relu${block}`, activation));
      if (pool) {
        b.append(tf.layers.maxPooling2d({ name: `pool${block}`, poolSize: 2, strides: 2 }));
        pools += 1;
        if (dropout) b.append(b.dropout(`drop${block}`, 0.1, true));
      }
      last = block;
    }
    // The reference implementation's final pool spans what is left of the input: a global max pool.
    const poolSize: [number, number] = [Math.floor(height / 2 ** pools), Math.floor(width / 2 ** pools)];
    b.append(tf.layers.maxPooling2d({ name: `pool${last}`, poolSize, strides: poolSize }));
    if (dropout) b.append(b.dropout(`drop${last}`, 0.1, true));
    b.append(tf.layers.flatten({ name: `view${last}` }));
    b.append(b.dense('logits', { units: args.classes, bias, activation }));
  },
} satisfies ArchitectureDefinition<SimpleNetArgs>;
