/**
 * A model's arguments beside their schema's documentation: the overview's arguments table.
 * Reads the registry's schema only (no TF.js).
 */
import { canonicalJson } from '../../core/bundle/canonical-json.js';
import { architectures } from '../../core/registries.js';
import type { SummaryArgument } from '../../core/viewer-protocol.js';

interface PropertySchema {
  title?: unknown;
  description?: unknown;
  default?: unknown;
}

/** Every argument in the schema's property order (then any others), with title, description and default. */
export function describeArguments(className: string, args: Readonly<Record<string, unknown>>): SummaryArgument[] {
  const properties = (architectures.get(className).schema.properties ?? {}) as Record<string, PropertySchema>;
  const names = [...Object.keys(properties).filter((n) => n in args), ...Object.keys(args).filter((n) => !(n in properties))];
  return names.map((name) => {
    const property = properties[name] ?? {};
    const value = args[name];
    const hasDefault = 'default' in property;
    return {
      name,
      value,
      title: typeof property.title === 'string' ? property.title : null,
      description: typeof property.description === 'string' ? property.description : null,
      ...(hasDefault ? { default: property.default } : {}),
      // canonical JSON compares objects and arrays (whitening, resolution) by value, key order aside
      isDefault: hasDefault && canonicalJson(value) === canonicalJson(property.default),
    };
  });
}
