import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { FILE_DATASET_NAMES, type FileDatasetName } from '../../../core/config.js';
import { BACKENDS, selectBackend, type BackendRequest } from '../../../tfjs/backend/select.js';
import type { Command } from '../command.js';
import { integer } from '../format.js';
import type { Io } from '../io.js';
import { THREADS_HELP, THREADS_OPTION, threadsFlag } from '../threads-option.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';
import { writeFileAtomic } from '../../files/atomic-file.js';
import { appFolder } from '../../viewer/app-files.js';
import { reportData } from '../../viewer/report.js';
import { reportHtml } from '../../viewer/report-html.js';

const help = `Usage: archbundle report BUNDLE... -o FILE.html [--data NAME] [--title TEXT] [--limit N]

Write one self-contained HTML file showing the bundles as the viewer does: overview (arguments,
layers, parameters), training curves (the bundle's metrics and the metrics.jsonl beside it),
weights, the comparison of every pair of bundles, and with --data an evaluation (accuracy,
confusion matrix, misclassified examples). Scripts, styles and data are inline: the file opens
offline, and its Content-Security-Policy allows no network at all. Every bundle is read and
checked in full; one that fails stops the report with its error code and nothing is written.

Options:
  -o, --output FILE  the HTML file to write (replaced atomically)
  --data NAME        evaluate every bundle on this dataset's test split: ${FILE_DATASET_NAMES.join(', ')}
  --data-dir DIR     look for the dataset files here first
  --limit N          evaluate on the first N test examples only
  --title TEXT       the report's title (default: the bundles' names)
  --backend NAME     auto, ${BACKENDS.join(', ')}
  --threads N        ${THREADS_HELP}
  --verbose          stack traces on errors
  -h, --help         this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('report', argv, {
    output: { type: 'string', short: 'o' },
    data: { type: 'string' },
    'data-dir': { type: 'string' },
    limit: { type: 'string' },
    title: { type: 'string' },
    backend: { type: 'string' },
    ...THREADS_OPTION,
  });
  if (positionals.length === 0) throw new UsageError('expected at least one bundle file, received none', 'report');
  const output = values.output as string | undefined;
  if (output === undefined || output === '') throw new UsageError('expected -o FILE.html, the report to write', 'report');
  const outputPath = path.resolve(io.cwd, output);
  if (positionals.some((file) => path.resolve(io.cwd, file) === outputPath)) {
    throw new UsageError(`-o ${output} is one of the bundles; expected a new file for the report`, 'report');
  }
  const data = values.data as string | undefined;
  if (data !== undefined && !(FILE_DATASET_NAMES as readonly string[]).includes(data)) {
    throw new UsageError(`--data must be one of ${FILE_DATASET_NAMES.join(', ')}, received "${data}"`, 'report');
  }
  const limit = positiveInteger(values.limit, '--limit');
  if (limit !== undefined && data === undefined) throw new UsageError('--limit applies to the evaluation: pass --data NAME with it', 'report');
  const backend = values.backend as string | undefined;
  if (backend !== undefined && backend !== 'auto' && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of auto, ${BACKENDS.join(', ')}, received "${backend}"`, 'report');
  }
  const log = (line: string) => io.out(`${line}\n`);
  const app = await appFolder({ env: io.env, log });
  const [script, styles] = await Promise.all([readFile(path.join(app, 'report.js'), 'utf8'), readFile(path.join(app, 'app.css'), 'utf8')]);
  await selectBackend(backend as BackendRequest | undefined, { threads: threadsFlag(values.threads, 'report') });
  const report = await reportData({
    files: positionals,
    cwd: io.cwd,
    title: (values.title as string | undefined) ?? defaultTitle(positionals),
    data: data as FileDatasetName | undefined,
    dataDir: values['data-dir'] === undefined ? null : path.resolve(io.cwd, values['data-dir'] as string),
    limit,
    log,
  });
  // Only now, with every bundle read: a failure above leaves no file, and an old report stays whole.
  await writeFileAtomic(outputPath, [Buffer.from(reportHtml(report, { script, styles }))]);
  const bytes = (await stat(outputPath)).size;
  io.out(`wrote: ${output} (${integer(bytes)} bytes, ${report.bundles.length} bundle${report.bundles.length === 1 ? '' : 's'}${data ? `, evaluated on ${data}` : ''})\n`);
  return EXIT.ok;
}

function defaultTitle(files: string[]): string {
  const names = files.map((f) => path.basename(f));
  const shown = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `archbundle report: ${shown}`;
}

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, received "${String(value)}"`, 'report');
  return n;
}

const command: Command = { name: 'report', summary: 'write a self-contained HTML report of bundles (opens offline)', help, run };
export default command;
