import { RegistryError } from './errors.js';

/** A closed, explicit name → definition table. Nothing is looked up by any other means. */
export class Registry<T extends { readonly name: string }> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly kind: string) {}

  define(entry: T): T {
    if (this.entries.has(entry.name)) {
      throw new RegistryError('E_DUPLICATE_CLASS', `${this.kind} "${entry.name}" is already registered`);
    }
    this.entries.set(entry.name, entry);
    return entry;
  }

  get(name: string): T {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new RegistryError(
        'E_UNKNOWN_CLASS',
        `unknown ${this.kind} "${name}"; registered: ${this.names().join(', ') || '(none)'}`,
      );
    }
    return entry;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): T[] {
    return this.names().map((n) => this.entries.get(n)!);
  }
}
