/**
 * Small JSON state files (a sweep's index, a run's record): read back as null when absent, and
 * written atomically so a reader never sees half a file.
 */
import { ArchbundleError, type ErrorCode } from '../../core/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { readTextIfExists } from './read-if-exists.js';

/** How a file that exists but is not JSON is reported: its error code and what it should have been. */
export interface NotJsonError {
  code: ErrorCode;
  /** What the file should be, e.g. "a sweep index"; the message reads "<file> is not <expected> (not JSON: …)". */
  expected: string;
}

/** The parsed content of `file`, or null when it does not exist (E_IO when it cannot be read). */
export async function readJsonFile<T>(file: string, notJson: NotJsonError): Promise<T | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ArchbundleError(notJson.code, `${file} is not ${notJson.expected} (not JSON: ${(error as Error).message})`, [], {
      cause: error,
    });
  }
}

/** Replaces `file` atomically with `value` as indented JSON and a final newline. */
export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, [new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`)]);
}
