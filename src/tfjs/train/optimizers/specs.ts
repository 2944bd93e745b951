/**
 * The built-in optimizers' names and argument checks without their TF.js code, so that
 * `archbundle validate` can check a bundle's optimizer without loading TensorFlow.js.
 */
import { ValidationError } from '../../../core/errors.js';
import { Registry } from '../../../core/registry.js';
import { validateOrThrow } from '../../../core/validate.js';
import type { OptimizerSpec } from '../types.js';
import adam from './adam/spec.js';
import adamw from './adamw/spec.js';
import rmsprop from './rmsprop/spec.js';
import sgd from './sgd/spec.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizerSpec = OptimizerSpec<any>;

export const builtinOptimizerSpecs: readonly AnyOptimizerSpec[] = [sgd, adam, adamw, rmsprop];

const builtins = new Registry<AnyOptimizerSpec>('optimizer');
for (const spec of builtinOptimizerSpecs) builtins.define(spec);

/** A built-in optimizer's spec; E_UNKNOWN_CLASS for any other name. */
export function builtinOptimizerSpec(name: string): AnyOptimizerSpec {
  return builtins.get(name);
}

/** Validates `args` (defaults filled, every problem listed with its pointer) and returns the complete arguments. */
export function checkOptimizerArgs(spec: AnyOptimizerSpec, args: unknown): Record<string, unknown> {
  const subject = `${spec.name} optimizer arguments`;
  const complete = validateOrThrow(spec.schema, args ?? {}, subject);
  const issues = spec.check?.(complete) ?? [];
  if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', subject, issues);
  return complete;
}
