import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ArchbundleError, EnvironmentError } from '../../core/errors.js';
import type { SweepFile } from '../../core/sweep/types.js';
import { validateOrThrow } from '../../core/validate.js';
import { sweepSchema } from './sweep-schema.js';

/** Reads a sweep file (YAML when it ends in .yaml or .yml, JSON otherwise) and checks it against schemas/sweep.schema.json. */
export async function readSweepFile(file: string): Promise<SweepFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'E_CONFIG_NOT_FOUND' : 'E_IO';
    throw new EnvironmentError(code, `sweep file ${file} cannot be read: ${(error as Error).message}`, [], { cause: error });
  }
  const yaml = /\.ya?ml$/i.test(file);
  let raw: unknown;
  try {
    raw = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.split('\n').filter(Boolean).join(' ');
    const expected = yaml ? 'YAML (the file name ends in .yaml or .yml)' : 'JSON (name it .yaml or .yml for YAML)';
    throw new ArchbundleError('E_INVALID_CONFIG', `sweep file ${file} cannot be parsed: expected ${expected}; ${message}`, [], { cause: error });
  }
  return validateOrThrow<SweepFile>(sweepSchema(), raw ?? {}, `settings in sweep file ${file}`, 'E_INVALID_CONFIG');
}
