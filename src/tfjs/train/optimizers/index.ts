/**
 * The optimizer registry: an explicit list of built-ins plus `registerOptimizer` for your own.
 * Like architectures, an optimizer is a JSON Schema for its arguments plus one definition.
 */
import { Registry } from '../../../core/registry.js';
import type { OptimizerDefinition, TrainingOptimizer } from '../types.js';
import type { AdamArgs } from './adam/args.generated.js';
import adam from './adam/index.js';
import type { AdamWArgs } from './adamw/args.generated.js';
import adamw from './adamw/index.js';
import type { RMSpropArgs } from './rmsprop/args.generated.js';
import rmsprop from './rmsprop/index.js';
import type { SGDArgs } from './sgd/args.generated.js';
import sgd from './sgd/index.js';
import { checkOptimizerArgs } from './specs.js';

/**
 * Argument types by class name, so `createOptimizer('SGD', {...})` is type-checked; add your own
 * by augmentation: `declare module 'archbundle' { interface OptimizerArgs { Lion: LionArgs } }`.
 */
export interface OptimizerArgs {
  SGD: SGDArgs;
  Adam: AdamArgs;
  AdamW: AdamWArgs;
  RMSprop: RMSpropArgs;
}

/** The argument type of a class name: typed for known literal names, `unknown` for any string. */
export type OptimizerArgsOf<K extends string> = K extends keyof OptimizerArgs ? OptimizerArgs[K] : unknown;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = OptimizerDefinition<any>;

export const optimizerRegistry = new Registry<AnyOptimizer>('optimizer');

export function registerOptimizer<Args>(definition: OptimizerDefinition<Args>): void {
  optimizerRegistry.define(definition as AnyOptimizer);
}

export const builtinOptimizers: readonly AnyOptimizer[] = [sgd, adam, adamw, rmsprop];
for (const definition of builtinOptimizers) registerOptimizer(definition);

export function listOptimizers(): AnyOptimizer[] {
  return optimizerRegistry.list();
}

export function getOptimizer(name: string): AnyOptimizer {
  return optimizerRegistry.get(name);
}

/** Validates `args` (defaults filled, every problem listed with its pointer) and returns the complete arguments. */
export function validateOptimizerArgs(name: string, args: unknown): Record<string, unknown> {
  return checkOptimizerArgs(getOptimizer(name), args);
}

/** Creates a registered optimizer; arguments are typed for literal class names and validated at run time. */
export function createOptimizer<K extends string>(name: K, args: OptimizerArgsOf<K> = {} as OptimizerArgsOf<K>): TrainingOptimizer {
  return getOptimizer(name).create(validateOptimizerArgs(name, args));
}
