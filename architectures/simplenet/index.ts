import { defineArchitecture } from '../../src/architecture.js';
import { groupCountIssues, minimumSizeIssues } from '../../src/architecture-checks.js';
import type { SimpleNetArgs } from './args.generated.js';
import { simpleNetPlan } from './plan.js';
import schema from './schema.json' with { type: 'json' };

const MIN_SIZE = 16;

/**
 * The reference implementation's SimpleNet, layer for layer. Layer names follow the reference
 * implementation's `append_layer` names (conv1, bn1, relu1, pool4, drop4, ..., logits), so weights
 * read `conv1/kernel`, `bn1/gamma`.
 */
export default defineArchitecture<SimpleNetArgs>({
  name: 'SimpleNet',
  schema,
  check(args) {
    const [, height, width] = args.resolution;
    return [
      ...minimumSizeIssues('SimpleNet', args.resolution, MIN_SIZE, 'four 2x2 poolings'),
      ...groupCountIssues(args.normalization, simpleNetPlan(args.channels, height, width).map((p) => p.filters)),
    ];
  },
  build(b, args) {
    const { tf } = b;
    const { activation, normalization, dropout, bias } = args;
    const [, height, width] = args.resolution;
    let pools = 0;
    let last = 0;
    for (const { block, filters, kernelSize, pool } of simpleNetPlan(args.channels, height, width)) {
      b.appendLayer(`conv${block}`, b.conv2d(`conv${block}`, { filters, kernelSize, bias, activation }));
      b.appendOptional(b.normalization(`${normalization}${block}`, normalization, filters));
      b.appendLayer(`relu${block}`, b.activation(`relu${block}`, activation));
      if (pool) {
        b.appendLayer(`pool${block}`, tf.layers.maxPooling2d({ name: `pool${block}`, poolSize: 2, strides: 2 }));
        pools += 1;
        if (dropout) b.appendLayer(`drop${block}`, b.dropout(`drop${block}`, 0.1, true));
      }
      last = block;
    }
    // The reference implementation's final pool spans what is left of the input: a global max pool.
    const poolSize: [number, number] = [Math.floor(height / 2 ** pools), Math.floor(width / 2 ** pools)];
    b.appendLayer(`pool${last}`, tf.layers.maxPooling2d({ name: `pool${last}`, poolSize, strides: poolSize }));
    if (dropout) b.appendLayer(`drop${last}`, b.dropout(`drop${last}`, 0.1, true));
    b.appendLayer(`view${last}`, tf.layers.flatten({ name: `view${last}` }));
    b.appendLayer('logits', b.dense('logits', { units: args.classes, bias, activation }));
  },
});
