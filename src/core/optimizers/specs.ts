/** The built-in optimizers' specs; their update rules are in src/tfjs/train/optimizers/. */
import type { Issue } from '../errors.js';
import type { Spec } from '../registry.js';
import adam from './adam.schema.json' with { type: 'json' };
import adamw from './adamw.schema.json' with { type: 'json' };
import type { SGDArgs } from './args.generated.js';
import rmsprop from './rmsprop.schema.json' with { type: 'json' };
import sgd from './sgd.schema.json' with { type: 'json' };

export const builtinOptimizerSpecs: readonly Spec<any>[] = [
  {
    name: 'SGD',
    schema: sgd,
    check(args: Required<SGDArgs>): Issue[] {
      if (!args.nesterov || (args.momentum > 0 && args.dampening === 0)) return [];
      return [{ pointer: '/nesterov', keyword: 'nesterov', message: `needs momentum > 0 and dampening 0, received momentum ${args.momentum} and dampening ${args.dampening}` }];
    },
  },
  { name: 'Adam', schema: adam },
  { name: 'AdamW', schema: adamw },
  { name: 'RMSprop', schema: rmsprop },
];
