/** The built-in LR schedulers' specs; their schedules are in src/tfjs/train/schedulers/. */
import type { Spec } from '../registry.js';
import type { LinearWarmupArgs } from './args.generated.js';
import cosineAnnealingLR from './cosineannealinglr.schema.json' with { type: 'json' };
import exponentialLR from './exponentiallr.schema.json' with { type: 'json' };
import linearWarmup from './linearwarmup.schema.json' with { type: 'json' };
import multiStepLR from './multisteplr.schema.json' with { type: 'json' };
import reduceLROnPlateau from './reducelronplateau.schema.json' with { type: 'json' };
import stepLR from './steplr.schema.json' with { type: 'json' };

export const builtinSchedulerSpecs: readonly Spec<any>[] = [
  { name: 'StepLR', schema: stepLR },
  { name: 'MultiStepLR', schema: multiStepLR },
  { name: 'ExponentialLR', schema: exponentialLR },
  { name: 'CosineAnnealingLR', schema: cosineAnnealingLR },
  {
    name: 'LinearWarmup',
    schema: linearWarmup,
    // the inner scheduler is validated as a class of its own, its pointers under /scheduler
    check: (args: LinearWarmupArgs, registry) => (args.scheduler ? registry.nestedIssues('/scheduler', args.scheduler.class, args.scheduler.args ?? {}) : []),
  },
  { name: 'ReduceLROnPlateau', schema: reduceLROnPlateau },
];
