import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonSchema } from '../../core/validate.js';
import { CONFIG_SCHEMA_PATH } from '../config/schema.js';

/** Absolute path of the published sweep schema (what `$schema` in a sweep file may point to); beside the config schema. */
export const SWEEP_SCHEMA_PATH = path.join(path.dirname(CONFIG_SCHEMA_PATH), 'sweep.schema.json');

let cached: JsonSchema | undefined;

export function sweepSchema(): JsonSchema {
  cached ??= JSON.parse(readFileSync(SWEEP_SCHEMA_PATH, 'utf8')) as JsonSchema;
  return cached;
}
