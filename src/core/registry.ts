/**
 * The one registry mechanism, shared by architectures, optimizers and schedulers. An entry is a
 * spec (name, JSON Schema, the checks the schema can't express) that the portable core can
 * validate on its own, plus an implementation that the TF.js layer attaches (a builder, an update
 * rule, a schedule). Names are closed: nothing is looked up by any other means.
 */
import { RegistryError, ValidationError, type Issue } from './errors.js';
import { validateOrThrow, type JsonSchema } from './validate.js';

/** What the core knows of a registered class. */
export interface Spec<Args = Record<string, unknown>> {
  /** Class name, as stored in bundles and configs. */
  readonly name: string;
  /** JSON Schema 2020-12 of the arguments, with `$id` and `title`/`description` everywhere. */
  readonly schema: JsonSchema;
  /** Constraints beyond the schema; each issue names a JSON pointer into the arguments. */
  check?(args: Args, registry: NestedValidator): Issue[];
}

/** Lets a check validate a nested `{class, args}` of its own kind (e.g. a warmup's inner scheduler). */
export interface NestedValidator {
  nestedIssues(prefix: string, name: unknown, args: unknown): Issue[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySpec = Spec<any>;

/** `Args` is what `validate` returns: the complete arguments of any class of this kind. */
export class Registry<S extends AnySpec, I = unknown, Args extends Record<string, unknown> = Record<string, unknown>> implements NestedValidator {
  private readonly specs = new Map<string, S>();
  private readonly implementations = new Map<string, I>();

  /**
   * @param kind what the entries are, for messages ("architecture", "optimizer", "scheduler")
   * @param options.subject what a message calls a class's arguments
   * @param options.commonChecks checks every entry of this kind shares, run before the entry's own
   */
  constructor(
    readonly kind: string,
    private readonly options: { subject?(name: string): string; commonChecks?(args: Record<string, unknown>): Issue[] } = {},
  ) {}

  /** Adds a spec, and its implementation when it comes with one. E_DUPLICATE_CLASS for a taken name. */
  define(spec: S, implementation?: I): void {
    if (this.specs.has(spec.name)) {
      throw new RegistryError('E_DUPLICATE_CLASS', `${this.kind} "${spec.name}" is already registered`);
    }
    this.specs.set(spec.name, spec);
    if (implementation !== undefined) this.implementations.set(spec.name, implementation);
  }

  /** Attaches the implementation of a defined spec (the TF.js layer does this for the built-ins). */
  implement(name: string, implementation: I): void {
    this.get(name);
    if (this.implementations.has(name)) {
      throw new RegistryError('E_DUPLICATE_CLASS', `${this.kind} "${name}" already has an implementation`);
    }
    this.implementations.set(name, implementation);
  }

  get(name: string): S {
    const spec = this.specs.get(name);
    if (!spec) {
      throw new RegistryError('E_UNKNOWN_CLASS', `unknown ${this.kind} "${name}"; registered: ${this.names().join(', ') || '(none)'}`);
    }
    return spec;
  }

  /** The implementation of a class; E_UNKNOWN_CLASS when the class or its implementation is missing. */
  implementation(name: string): I {
    this.get(name);
    const implementation = this.implementations.get(name);
    if (implementation === undefined) {
      throw new RegistryError('E_UNKNOWN_CLASS', `${this.kind} "${name}" has no implementation loaded; import it from 'archbundle' rather than 'archbundle/core'`);
    }
    return implementation;
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  names(): string[] {
    return [...this.specs.keys()].sort();
  }

  list(): S[] {
    return this.names().map((n) => this.specs.get(n)!);
  }

  /**
   * Validates arguments for a class: the schema (strict, every error, defaults filled, input
   * untouched), then the kind's common checks and the spec's own. Returns the complete arguments.
   */
  validate(name: string, args: unknown): Args {
    const spec = this.get(name);
    const subject = this.options.subject?.(name) ?? `${name} ${this.kind} arguments`;
    const complete = validateOrThrow<Args>(spec.schema, args ?? {}, subject);
    const issues = [...(this.options.commonChecks?.(complete) ?? []), ...(spec.check?.(complete, this) ?? [])];
    if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', subject, issues);
    return complete;
  }

  /**
   * The problems of a nested `{class, args}` found at `prefix` in a larger document, with
   * pointers relative to that document: the one place nested pointers are re-prefixed.
   */
  nestedIssues(prefix: string, name: unknown, args: unknown): Issue[] {
    if (typeof name !== 'string' || !this.has(name)) {
      return [{ pointer: `${prefix}/class`, keyword: 'registry', message: `names no registered ${this.kind} (${JSON.stringify(name)}); registered: ${this.names().join(', ')}` }];
    }
    try {
      this.validate(name, args);
      return [];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return prefixIssues(`${prefix}/args`, error.issues);
    }
  }
}

/** Issues of a nested document, re-pointed into the document that holds it at `prefix`. */
export function prefixIssues(prefix: string, issues: readonly Issue[]): Issue[] {
  return issues.map((i) => ({ ...i, pointer: `${prefix}${i.pointer}` }));
}
