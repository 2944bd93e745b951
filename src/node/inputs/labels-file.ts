/**
 * Class names from a file, for an input contract's `labels` (e.g. `archbundle import --labels
 * FILE`): a JSON array of strings, or plain text with one label per line. Every label must be
 * something input.json can hold: a non-empty string of at most 256 characters.
 */
import { BundleError, EnvironmentError } from '../../core/errors.js';
import { parseStrictJson } from '../../core/bundle/strict-json.js';
import { readInputFile } from './read-input-file.js';

/** The longest label input.json accepts (schemas/bundle-input.schema.json). */
const MAX_LABEL_LENGTH = 256;
const MAX_JSON_DEPTH = 64;
const BOM = [0xef, 0xbb, 0xbf];
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface ReadLabelsOptions {
  /** The model's classes: the file must hold exactly this many labels (E_INPUT_MISMATCH otherwise). */
  classes?: number;
  /** How to name the file in messages; default the path. */
  name?: string;
}

/**
 * Reads labels from `path`. A file whose first non-blank character is `[` is a JSON array of
 * strings; any other is text, one label per line: surrounding blanks are trimmed, a UTF-8 BOM,
 * `\r\n` line ends and blank lines at the end are allowed, a blank line before the last label is
 * not (it would shift every class after it). Fails with E_IO (unreadable), E_DATA_INVALID (not
 * labels) or E_JSON_* (broken JSON), naming the file and the line or index.
 */
export async function readLabelsFile(path: string, options: ReadLabelsOptions = {}): Promise<string[]> {
  const name = options.name ?? path;
  const bytes = await readInputFile(path, name);
  const labels = parseLabels(bytes, name);
  if (options.classes !== undefined && labels.length !== options.classes) {
    throw new BundleError('E_INPUT_MISMATCH', `labels file ${name} holds ${labels.length} labels; the model has ${options.classes} classes, expected one label per class`);
  }
  return labels;
}

/** The labels in a labels file's bytes (see readLabelsFile). */
export function parseLabels(input: Uint8Array, name: string): string[] {
  const bytes = BOM.every((b, i) => input[i] === b) ? input.subarray(BOM.length) : input;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw invalid(name, 'is not valid UTF-8 text');
  }
  const labels = text.trimStart().startsWith('[') ? jsonLabels(bytes, name) : lineLabels(text, name);
  if (labels.length === 0) throw invalid(name, 'holds no labels; expected one label per line or a JSON array of strings');
  return labels;
}

function jsonLabels(bytes: Uint8Array, name: string): string[] {
  const value = parseStrictJson(bytes, `labels file ${name}`, MAX_JSON_DEPTH) as unknown[];
  value.forEach((label, i) => {
    if (typeof label !== 'string') throw invalid(name, `item ${i} must be a string, received ${JSON.stringify(label)}`);
    checkLabel(label, name, `item ${i}`);
  });
  return value as string[];
}

function lineLabels(text: string, name: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((label, i) => {
    if (label === '') throw invalid(name, `line ${i + 1} is blank; expected one label per line (a blank line would shift the classes after it)`);
    checkLabel(label, name, `line ${i + 1}`);
  });
  return lines;
}

function checkLabel(label: string, name: string, where: string): void {
  if (label.length === 0) throw invalid(name, `${where} is an empty label`);
  if (label.length > MAX_LABEL_LENGTH) throw invalid(name, `${where} has ${label.length} characters, more than ${MAX_LABEL_LENGTH}`);
}

function invalid(name: string, what: string): EnvironmentError {
  return new EnvironmentError('E_DATA_INVALID', `labels file ${name} ${what}`);
}
