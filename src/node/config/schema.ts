import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '../../core/validate.js';

/** The package root: found by walking up, so it is the same from src/ (tsx) and from dist/src/ (compiled). */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'schemas', 'config.schema.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('archbundle package root not found (schemas/config.schema.json is missing)');
    dir = parent;
  }
  return dir;
}

/** Absolute path of the published config schema (also what `$schema` in a config file may point to). */
export const CONFIG_SCHEMA_PATH = path.join(packageRoot(), 'schemas', 'config.schema.json');

let cached: JsonSchema | undefined;

export function configSchema(): JsonSchema {
  cached ??= JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as JsonSchema;
  return cached;
}
