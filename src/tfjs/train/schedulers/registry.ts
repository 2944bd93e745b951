/**
 * The scheduler registry and argument validation, apart from the list of built-ins so that a
 * composed scheduler (LinearWarmup) can create its inner one without an import cycle.
 */
import { ValidationError, type Issue } from '../../../core/errors.js';
import { Registry } from '../../../core/registry.js';
import { validateOrThrow } from '../../../core/validate.js';
import type { SchedulerDefinition, TrainingOptimizer, TrainingScheduler } from '../types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScheduler = SchedulerDefinition<any>;

export const schedulerRegistry = new Registry<AnyScheduler>('scheduler');

export function registerScheduler<Args>(definition: SchedulerDefinition<Args>): void {
  schedulerRegistry.define(definition as AnyScheduler);
}

export function listSchedulers(): AnyScheduler[] {
  return schedulerRegistry.list();
}

export function getScheduler(name: string): AnyScheduler {
  return schedulerRegistry.get(name);
}

/** Validates `args` (defaults filled, every problem listed with its pointer) and returns the complete arguments. */
export function validateSchedulerArgs(name: string, args: unknown): Record<string, unknown> {
  const definition = getScheduler(name);
  const subject = `${name} scheduler arguments`;
  const complete = validateOrThrow(definition.schema, args ?? {}, subject);
  const issues = definition.check?.(complete) ?? [];
  if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', subject, issues);
  return complete;
}

/**
 * Argument types by class name, so `createScheduler('StepLR', {...}, optimizer)` is type-checked;
 * filled in by schedulers/index.ts, extensible by augmentation like OptimizerArgs.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SchedulerArgs {}

export type SchedulerArgsOf<K extends string> = K extends keyof SchedulerArgs ? SchedulerArgs[K] : unknown;

/** Creates a registered scheduler for `optimizer`; it sets the optimizer's rate for epoch 0 at once. */
export function createScheduler<K extends string>(name: K, args: SchedulerArgsOf<K>, optimizer: TrainingOptimizer): TrainingScheduler {
  return getScheduler(name).create(validateSchedulerArgs(name, args), optimizer);
}

/** The issues of validating a nested {class, args}, with pointers under `prefix`. */
export function nestedIssues(prefix: string, name: string, args: unknown): Issue[] {
  if (!schedulerRegistry.has(name)) {
    return [{ pointer: `${prefix}/class`, keyword: 'registry', message: `must be a registered scheduler (${schedulerRegistry.names().join(', ')}), received ${JSON.stringify(name)}` }];
  }
  try {
    validateSchedulerArgs(name, args);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((i) => ({ ...i, pointer: `${prefix}/args${i.pointer}` }));
  }
}

