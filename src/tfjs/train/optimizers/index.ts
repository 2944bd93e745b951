/**
 * Live optimizers: the built-in update rules attached to their specs in the core registry, plus
 * `registerOptimizer` and `createOptimizer`.
 */
import { optimizers, type ArgsOf, type OptimizerArgs } from '../../../core/registries.js';
import type { OptimizerDefinition, TrainingOptimizer } from '../types.js';
import { AdamFamily } from './adam.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

type OptimizerFactory = (args: Record<string, unknown>) => TrainingOptimizer;

const builtinRules: Record<string, OptimizerFactory> = {
  SGD: (args) => new SGD('SGD', args as never),
  Adam: (args) => new AdamFamily('Adam', args as never, false),
  AdamW: (args) => new AdamFamily('AdamW', args as never, true),
  RMSprop: (args) => new RMSprop('RMSprop', args as never),
};
for (const [name, create] of Object.entries(builtinRules)) optimizers.implement(name, create);

/** Registers an optimizer: its spec for validation, its `create` for training. */
export function registerOptimizer<Args>(definition: OptimizerDefinition<Args>): void {
  const { create, ...spec } = definition;
  optimizers.define(spec, create as OptimizerFactory);
}

/** Creates a registered optimizer; arguments are typed for literal class names and validated at run time. */
export function createOptimizer<K extends string>(name: K, args: ArgsOf<OptimizerArgs, K> = {} as ArgsOf<OptimizerArgs, K>): TrainingOptimizer {
  const create = optimizers.implementation(name) as OptimizerFactory;
  return create(optimizers.validate(name, args));
}
