import { pathToFileURL } from 'node:url';
import { ArchbundleError } from '../../core/errors.js';
import { architectures } from '../../core/registries.js';
import { registerArchitecture, type AnyArchitecture } from '../../tfjs/architecture.js';

/**
 * Imports each module (absolute paths) and registers its default export as an architecture.
 * Importing the same module again yields the same definition, which is not registered twice;
 * a different definition under a taken name is the registry's duplicate error.
 */
export async function registerUserArchitectures(modules: readonly string[], configFile: string | null): Promise<string[]> {
  const names: string[] = [];
  for (const [index, modulePath] of modules.entries()) {
    const where = `${configFile ?? 'config'} /architectures/${index} (${modulePath})`;
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      throw new ArchbundleError('E_INVALID_CONFIG', `${where}: cannot import: ${reason}`, [], { cause: error });
    }
    const definition = module.default;
    if (!isDefinition(definition)) {
      throw new ArchbundleError(
        'E_INVALID_CONFIG',
        `${where}: default export must be an architecture definition {name, schema, build}, received ${typeof definition}`,
      );
    }
    if (!isRegistered(definition)) registerArchitecture(definition);
    names.push(definition.name);
  }
  return names;
}

/** Whether this very definition is registered already (its module was imported before). */
function isRegistered(definition: AnyArchitecture): boolean {
  return architectures.has(definition.name) && architectures.get(definition.name).schema === definition.schema;
}

function isDefinition(value: unknown): value is AnyArchitecture {
  if (!value || typeof value !== 'object') return false;
  const d = value as Record<string, unknown>;
  return typeof d.name === 'string' && !!d.schema && typeof d.schema === 'object' && typeof d.build === 'function';
}
