/**
 * An architecture as a user defines it: its spec (schema, checks, migrations) plus the builder
 * that turns complete arguments into layers. Built-ins keep the two in separate files so that
 * the core can validate their arguments without TF.js.
 */
import type { ArchitectureSpec, Complete } from '../core/architecture.js';
import { architectures } from '../core/registries.js';
import { builtinArchitectures } from '../../architectures/builders.js';
import type { ClassifierBuilder } from './classifier.js';

/** Appends the layers to the builder; the input preprocessing (clamp, whitening) is already in place. */
export type ArchitectureBuild<Args = Record<string, unknown>> = (builder: ClassifierBuilder, args: Complete<Args>) => void;

export interface ArchitectureDefinition<Args = Record<string, unknown>> extends ArchitectureSpec<Args> {
  build(builder: ClassifierBuilder, args: Complete<Args>): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyArchitecture = ArchitectureDefinition<any>;

/** Identity helper that keeps the argument type of a definition. */
export function defineArchitecture<Args>(definition: ArchitectureDefinition<Args>): ArchitectureDefinition<Args> {
  return definition;
}

/** Registers an architecture: its spec for validation and loading, its builder for building. */
export function registerArchitecture<Args>(definition: ArchitectureDefinition<Args>): void {
  const { build, ...spec } = definition;
  architectures.define(spec as ArchitectureSpec<Args>, build.bind(definition) as ArchitectureBuild);
}

/** The builder of a registered class (E_UNKNOWN_CLASS for an unknown one). */
export function architectureBuild(name: string): ArchitectureBuild {
  return architectures.implementation(name) as ArchitectureBuild;
}

for (const definition of builtinArchitectures) architectures.implement(definition.name, definition.build.bind(definition) as ArchitectureBuild);
