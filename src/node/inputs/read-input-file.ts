import { readFile } from 'node:fs/promises';
import { EnvironmentError } from '../../core/errors.js';

/** Node's messages hold the absolute path; these name the problem alone. */
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** A file's bytes; a file that cannot be read fails as E_IO naming it as the user wrote it. */
export async function readInputFile(file: string, name = file): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code && Object.hasOwn(REASONS, code) ? `${REASONS[code]} (${code})` : (code ?? (error as Error).message);
    throw new EnvironmentError('E_IO', `cannot read ${name}: ${reason}`, [], { cause: error });
  }
}
