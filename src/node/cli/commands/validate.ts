/**
 * `archbundle validate`: for CI. Without --deep it reads bundles with the TF.js-free reader
 * (structure, checksums, model, optimizer and scheduler arguments against their classes'
 * schemas) and never loads TensorFlow.js;
 * --deep also builds each model and restores every tensor into it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ArchbundleError } from '../../../core/errors.js';
import { openBundleFile } from '../../files/bundle-file.js';
import { readBundle } from '../../../core/bundle/read-bundle.js';
import { checkTrainingClasses } from '../../../core/check-training-classes.js';
import type { Command } from '../command.js';
import { integer, json } from '../format.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle validate BUNDLE... [--deep] [--json]

Check bundles: tar structure, entry names and types, JSON schemas, checksums, and the model,
optimizer and scheduler arguments against their classes' schemas. Exit 0 when all are valid,
1 when any is invalid, 2 on a usage error. Without --deep, TensorFlow.js is not loaded.

Options:
  --deep         also build each model and check every tensor's shape and dtype against it
  --backend NAME TF.js backend for --deep (default: ARCHBUNDLE_BACKEND, else auto)
  --json         one JSON array with a result per bundle
  --verbose      stack traces on errors
  -h, --help     this help
`;

export interface ValidationResult {
  file: string;
  valid: boolean;
  class?: string;
  tensors?: number;
  bytes?: number;
  /** Time spent on this bundle, in milliseconds. */
  ms: number;
  error?: { code: string; message: string; issues: { pointer: string; message: string; keyword: string }[] };
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('validate', argv, {
    deep: { type: 'boolean' },
    json: { type: 'boolean' },
    backend: { type: 'string' },
  });
  if (positionals.length === 0) throw new UsageError('expected at least one bundle file', 'validate');
  if (values.deep) {
    const { selectBackend } = await import('../../../tfjs/backend/select.js');
    await selectBackend((values.backend as never) ?? undefined);
  }
  const results: ValidationResult[] = [];
  for (const file of positionals) {
    results.push(await validateOne(file, path.resolve(io.cwd, file), Boolean(values.deep)));
  }
  if (values.json) io.out(json(results));
  else {
    for (const r of results) {
      if (r.valid) io.out(`ok    ${r.file} (${r.class}, ${r.tensors} tensors, ${integer(r.bytes ?? 0)} bytes, ${r.ms} ms)\n`);
      else io.out(`FAIL  ${r.file}: ${r.error!.code}: ${r.error!.message.replace(/\s*\n\s*/g, ' ')}\n`);
    }
  }
  return results.every((r) => r.valid) ? EXIT.ok : EXIT.failed;
}

async function validateOne(file: string, absolute: string, deep: boolean): Promise<ValidationResult> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const contents = await readBundle(await openBundleFile(absolute));
    checkTrainingClasses(contents);
    if (deep) {
      const [{ State }, { trainingFactories }] = await Promise.all([import('../../state.js'), import('../../../tfjs/train/factories.js')]);
      const state = await State.load(absolute, { factories: trainingFactories });
      state.optimizer?.dispose();
      state.model.dispose();
    }
    return {
      file,
      valid: true,
      class: contents.arch.class,
      tensors: contents.weights.length,
      bytes: (await stat(absolute)).size,
      ms: ms(),
    };
  } catch (error) {
    if (!(error instanceof ArchbundleError)) throw error;
    return { file, valid: false, ms: ms(), error: { code: error.code, message: error.message, issues: [...error.issues] } };
  }
}

const command: Command = { name: 'validate', summary: 'check bundles for CI', help, run };
export default command;
