import type { Issue } from '../../../../core/errors.js';
import type { OptimizerSpec } from '../../types.js';
import type { SGDArgs } from './args.generated.js';
import schema from './schema.json' with { type: 'json' };

export default {
  name: 'SGD',
  schema,
  check(args: SGDArgs): Issue[] {
    if (!args.nesterov || (args.momentum! > 0 && args.dampening === 0)) return [];
    return [{ pointer: '/nesterov', keyword: 'nesterov', message: `needs momentum > 0 and dampening 0, received momentum ${args.momentum} and dampening ${args.dampening}` }];
  },
} satisfies OptimizerSpec<SGDArgs>;
