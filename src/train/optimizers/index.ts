/**
 * The optimizer registry: an explicit list of built-ins plus `registerOptimizer` for your own.
 * Like architectures, an optimizer is a JSON Schema for its arguments plus one definition.
 */
import { ValidationError } from '../../errors.js';
import { Registry } from '../../registry.js';
import { validateOrThrow } from '../../validate.js';
import type { OptimizerDefinition, TrainingOptimizer } from '../types.js';
import adam from './adam/index.js';
import adamw from './adamw/index.js';
import rmsprop from './rmsprop/index.js';
import sgd from './sgd/index.js';

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
  const definition = getOptimizer(name);
  const subject = `${name} optimizer arguments`;
  const complete = validateOrThrow(definition.schema, args ?? {}, subject);
  const issues = definition.check?.(complete) ?? [];
  if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', subject, issues);
  return complete;
}

/** Creates a registered optimizer from untyped arguments (as in a config file or a bundle). */
export function createOptimizer(name: string, args: unknown = {}): TrainingOptimizer {
  return getOptimizer(name).create(validateOptimizerArgs(name, args));
}
