import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import { ArchbundleError, EnvironmentError } from '../../core/errors.js';

const MODULE = 'archbundle';

/** Where cosmiconfig looks, in order, in each folder from the start folder up to the project root. */
export const SEARCH_PLACES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.mjs`,
  `.${MODULE}rc.ts`,
  `${MODULE}.config.json`,
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
  `${MODULE}.config.js`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.ts`,
];

/** TypeScript configs are imported directly when a TS loader (tsx) is active, else compiled by cosmiconfig. */
const loadTs: Loader = async (filepath, content) => {
  try {
    const module = (await import(pathToFileURL(filepath).href)) as { default?: unknown };
    return module.default ?? null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    return defaultLoaders['.ts'](filepath, content);
  }
};

export interface FoundConfig {
  raw: unknown;
  filepath: string;
}

function explorer() {
  return cosmiconfig(MODULE, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    loaders: { '.ts': loadTs },
    cache: false,
  });
}

/** Loads an explicit config file, or searches from `cwd` up to the project root. */
export async function findConfig(options: { file?: string; cwd: string }): Promise<FoundConfig> {
  const { file, cwd } = options;
  let result;
  try {
    result = file ? await explorer().load(path.resolve(cwd, file)) : await explorer().search(cwd);
  } catch (error) {
    const where = file ? path.resolve(cwd, file) : cwd;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new EnvironmentError('E_CONFIG_NOT_FOUND', `config file ${where} does not exist`, [], { cause: error });
    }
    // cosmiconfig's parse errors start with "JSON Error in FILE:" or "YAML Error in FILE:".
    const text = (error as Error).message;
    const named = /^(?:JSON|YAML) Error in (.+?):\n/.exec(text);
    const message = (named ? text.slice(named[0].length) : text).split('\n').filter(Boolean).join(' ');
    throw new ArchbundleError('E_INVALID_CONFIG', `config file ${named?.[1] ?? where} cannot be read: ${message}`, [], {
      cause: error,
    });
  }
  if (!result) {
    throw new EnvironmentError(
      'E_CONFIG_NOT_FOUND',
      `no archbundle config found from ${cwd} up to the project root (looked for ${SEARCH_PLACES.join(', ')}` +
        ` with an "archbundle" key in package.json); pass --config FILE`,
    );
  }
  return { raw: result.isEmpty ? {} : result.config, filepath: result.filepath };
}
