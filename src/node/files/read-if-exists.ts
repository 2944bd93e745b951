import { readFile } from 'node:fs/promises';
import { EnvironmentError } from '../../core/errors.js';

/** The text of `file`, or null when it does not exist; any other failure is E_IO naming the file. */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EnvironmentError('E_IO', `cannot read ${file}: ${(error as Error).message}`, [], { cause: error });
  }
}
