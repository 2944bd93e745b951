/**
 * The architecture registry and argument validation. This module never loads TensorFlow.js:
 * `archbundle validate` uses it to check bundles quickly.
 */
import type { ArchitectureDefinition, CommonArgs } from './architecture.js';
import { schemaVersion } from './architecture.js';
import { ValidationError, type Issue } from './errors.js';
import { Registry } from './registry.js';
import { validateOrThrow } from './validate.js';

/**
 * Maps each registered class name to its argument type, so `createModel` is typed per class.
 * Built-ins are added by `architectures/types.generated.ts`; add your own by augmentation:
 * `declare module 'archbundle' { interface ArchitectureArgs { MyNet: MyNetArgs } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ArchitectureArgs {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyArchitecture = ArchitectureDefinition<any>;

export const architectureRegistry = new Registry<AnyArchitecture>('architecture');

export function registerArchitecture<Args>(definition: ArchitectureDefinition<Args>): void {
  architectureRegistry.define(definition as AnyArchitecture);
}

export function getArchitecture(name: string): AnyArchitecture {
  return architectureRegistry.get(name);
}

export function listArchitectures(): AnyArchitecture[] {
  return architectureRegistry.list();
}

/**
 * Validates arguments for a class: the schema (strict, every error, defaults filled), then the
 * constraints the schema can't express. Returns the complete arguments; throws ValidationError.
 */
export function validateArchitectureArgs(name: string, args: unknown): Record<string, unknown> & CommonArgs {
  const definition = getArchitecture(name);
  const subject = `${name} arguments`;
  const complete = validateOrThrow<Record<string, unknown> & CommonArgs>(definition.schema, args, subject);
  const issues: Issue[] = [...commonChecks(complete), ...(definition.check?.(complete) ?? [])];
  if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', subject, issues);
  return complete;
}

export function architectureVersion(name: string): number {
  return schemaVersion(getArchitecture(name).schema);
}

function commonChecks(args: CommonArgs): Issue[] {
  const issues: Issue[] = [];
  const channels = args.resolution[0];
  if (args.whitening) {
    for (const key of ['mean', 'std'] as const) {
      const length = args.whitening[key].length;
      if (length !== channels) {
        issues.push({
          pointer: `/whitening/${key}`,
          keyword: 'per-channel',
          message: `must have one value per input channel (${channels}), received ${length}`,
        });
      }
    }
  }
  return issues;
}
