/**
 * The three registries (architectures, optimizers, schedulers), holding the built-in specs from
 * the start. The TF.js layer attaches each built-in's implementation; user classes bring theirs.
 */
import type {} from '../../architectures/types.generated.js';
import { builtinArchitectureSpecs } from '../../architectures/specs.js';
import { commonArchitectureIssues, type ArchitectureSpec, type CommonArgs } from './architecture.js';
import type {} from './optimizers/args.generated.js';
import { builtinOptimizerSpecs } from './optimizers/specs.js';
import { Registry, type AnySpec } from './registry.js';
import type {} from './schedulers/args.generated.js';
import { builtinSchedulerSpecs } from './schedulers/specs.js';

/**
 * Argument types by class name, so `createModel('SimpleNet', {...})` is type-checked. Built-ins
 * are filled in by generated files; add your own by augmentation:
 * `declare module 'archbundle' { interface ArchitectureArgs { MyNet: MyNetArgs } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ArchitectureArgs {}
/** Like ArchitectureArgs, for `createOptimizer`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface OptimizerArgs {}
/** Like ArchitectureArgs, for `createScheduler`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SchedulerArgs {}

/** The argument type of a class name: typed for known literal names, `unknown` for any string. */
export type ArgsOf<Map, K extends string> = K extends keyof Map ? Map[K] : unknown;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyArchitectureSpec = ArchitectureSpec<any>;

export const architectures = new Registry<AnyArchitectureSpec, unknown, Record<string, unknown> & CommonArgs>('architecture', {
  subject: (name) => `${name} arguments`,
  commonChecks: commonArchitectureIssues,
});
export const optimizers = new Registry<AnySpec>('optimizer');
export const schedulers = new Registry<AnySpec>('scheduler');

for (const spec of builtinArchitectureSpecs) architectures.define(spec);
for (const spec of builtinOptimizerSpecs) optimizers.define(spec);
for (const spec of builtinSchedulerSpecs) schedulers.define(spec);
