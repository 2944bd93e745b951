import path from 'node:path';
import { buildLeaderboard, parseSortKey, sortableColumns, type Leaderboard, type LeaderboardRow } from '../../../core/compare/leaderboard.js';
import { DATASET_NAMES, type DatasetName } from '../../../core/config.js';
import { BACKENDS, type BackendRequest } from '../../../tfjs/backend/select.js';
import { readEntry, type CompareProblem, type EvaluateOptions } from '../../compare/entries.js';
import { resolveTargets } from '../../compare/targets.js';
import type { Command } from '../command.js';
import { duration, integer, json, percent, table } from '../format.js';
import type { Io } from '../io.js';
import { THREADS_HELP, THREADS_OPTION, threadsFlag } from '../threads-option.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle compare BUNDLE_OR_FOLDER... [--sort COLUMN[:asc|:desc]] [--data NAME] [--json]

A leaderboard of any bundles, whatever their architectures: class, the model arguments that
differ between rows (as dot paths), parameters, epochs, best validation accuracy (from each
bundle's training history), test accuracy and training time. A run folder stands for its
best.archbundle (else its newest epoch bundle); a folder of run folders for each of them; a
sweep folder (holding sweep.json) for each of its runs, with the sweep's axes as columns and
each run's state (failed runs with their reason). Every bundle is read and checked in full; one
that fails is reported on its own line with its error code, the others are still shown, and the
exit code is 1.

Test accuracy is the one metrics.jsonl recorded after the bundle's epoch, or with --data the
bundle evaluated on that dataset's test split as \`archbundle eval\` does. FINAL TEST, shown
when it is later than the bundle compared (a run's best.archbundle from an earlier epoch), is
the run's test accuracy at the end of its training. Training time is the sum of the epochs'
seconds in the bundle's history, else in metrics.jsonl, else the sweep run's trainSeconds; the
text output says which.

Options:
  --sort COLUMN[:DIR]  name, class, params, epochs, val, test, final, time, state, a sweep
                       axis or a differing argument; accuracies sort descending, others ascending, unless
                       :asc or :desc (default: test when every bundle has one, else val)
  --data NAME          evaluate every bundle on this dataset's test split: ${DATASET_NAMES.join(', ')}
  --data-dir DIR       look for the dataset files here first
  --limit N            evaluate on the first N test examples only
  --batch-size N       examples per forward pass (default 500)
  --backend NAME       auto, ${BACKENDS.join(', ')}
  --threads N          ${THREADS_HELP}
  --json               one JSON object
  --verbose            stack traces on errors
  -h, --help           this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('compare', argv, {
    sort: { type: 'string' },
    data: { type: 'string' },
    'data-dir': { type: 'string' },
    limit: { type: 'string' },
    'batch-size': { type: 'string' },
    backend: { type: 'string' },
    ...THREADS_OPTION,
    json: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError('expected at least one bundle, run folder or sweep folder, received none', 'compare');
  const data = values.data as string | undefined;
  if (data !== undefined && !(DATASET_NAMES as readonly string[]).includes(data)) {
    throw new UsageError(`--data must be one of ${DATASET_NAMES.join(', ')}, received "${data}"`, 'compare');
  }
  const limit = positiveInteger(values.limit, '--limit');
  const batchSize = positiveInteger(values['batch-size'], '--batch-size') ?? 500;
  const threads = threadsFlag(values.threads, 'compare');
  if ((limit !== undefined || values['data-dir'] !== undefined || threads !== undefined) && data === undefined) {
    throw new UsageError('--limit, --data-dir and --threads apply to the evaluation: pass --data NAME with them', 'compare');
  }
  const backend = values.backend as string | undefined;
  if (backend !== undefined && backend !== 'auto' && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of auto, ${BACKENDS.join(', ')}, received "${backend}"`, 'compare');
  }

  const { targets, axes } = await resolveTargets(positionals, io.cwd);
  let evaluate: EvaluateOptions | undefined;
  let evaluation: { evaluatedOn: string; backend: string; threads: number } | undefined;
  if (data !== undefined) {
    const { selectBackend } = await import('../../../tfjs/backend/select.js');
    const info = await selectBackend(backend as BackendRequest | undefined, { threads });
    evaluation = { evaluatedOn: data, backend: info.name, threads: info.threads };
    const dataDir = values['data-dir'] === undefined ? null : path.resolve(io.cwd, values['data-dir'] as string);
    evaluate = { data: data as DatasetName, dataDir, limit, batchSize };
  }
  const entries = [];
  const problems: CompareProblem[] = [];
  for (const target of targets) {
    const { entry, problem } = await readEntry(target, evaluate);
    if (problem) {
      problems.push(problem);
      io.err(`archbundle compare: ${problem.name}: ${problem.code}: ${problem.message.replace(/\s*\n\s*/g, ' ')}\n`);
    }
    // a bundle that could not be read is no row, unless it stands for a sweep run (whose record is still shown)
    if (!problem || entry.run) entries.push(entry);
  }
  let sort;
  if (values.sort !== undefined) {
    const parsed = parseSortKey(values.sort as string, sortableColumns(entries, axes));
    if (typeof parsed === 'string') throw new UsageError(parsed, 'compare');
    sort = parsed;
  }
  const board = buildLeaderboard(entries, { axes, sort });
  if (values.json) io.out(json({ ...board, ...evaluation, problems }));
  else io.out(renderText(board, data));
  return problems.length > 0 ? EXIT.failed : EXIT.ok;
}

/** The leaderboard as a table, then what each figure is taken from and why failed runs failed. */
function renderText(board: Leaderboard, data: string | undefined): string {
  const { rows, axes } = board;
  if (rows.length === 0) return 'no bundles to compare\n';
  const sweep = rows.some((r) => r.run);
  // the run's own final test is worth a column only where it says more than TEST
  const final = rows.some((r) => r.finalTest && r.finalTest.epoch !== r.epoch);
  const headers = ['#', 'NAME', 'CLASS', ...axes, ...board.arguments, 'PARAMS', 'EPOCHS', 'BEST VAL', 'TEST', ...(final ? ['FINAL TEST'] : []), 'TIME', ...(sweep ? ['STATE'] : [])];
  const cells = rows.map((r) => [
    String(r.rank),
    r.name,
    r.class ?? '-',
    ...axes.map((a) => (r.run && a in r.run.axes ? show(r.run.axes[a]) : '-')),
    ...board.arguments.map((p) => (p in r.arguments ? show(r.arguments[p]) : '-')),
    r.parameters === null ? '-' : integer(r.parameters),
    r.epoch === null ? '-' : String(r.epoch),
    r.bestValAccuracy === null ? '-' : `${percent(r.bestValAccuracy)} (${r.bestEpoch})`,
    percent(r.testAccuracy),
    ...(final ? [r.finalTest ? `${percent(r.finalTest.accuracy)} (${r.finalTest.epoch})` : '-'] : []),
    r.trainSeconds === null ? '-' : `${duration(r.trainSeconds)}${r.timeFrom === 'bundle' ? '' : '*'}`,
    ...(sweep ? [r.run?.state ?? '-'] : []),
  ]);
  const notes = [
    `sorted by ${board.sort.column} (${board.sort.direction === 'desc' ? 'descending' : 'ascending'}); BEST VAL is the highest val_accuracy in the bundle's history (its epoch in brackets)`,
    testNote(rows, data),
    ...(final ? ["FINAL TEST: the run's test accuracy recorded in metrics.jsonl at the end of its training (its epoch in brackets), later than the bundle compared"] : []),
    'TIME: training seconds summed over the epochs in the bundle\'s history' +
      (rows.some((r) => r.timeFrom !== null && r.timeFrom !== 'bundle') ? '; * from metrics.jsonl or the sweep\'s run.json where the bundle has none' : ''),
    ...rows.filter((r) => r.run?.state === 'failed').map((r) => `run ${r.run!.id} failed: ${r.run!.code ? `${r.run!.code}: ` : ''}${r.run!.reason ?? '(no reason recorded)'}`),
  ];
  return `${table(headers, cells)}\n${notes.map((n) => `${n}\n`).join('')}`;
}

function testNote(rows: LeaderboardRow[], data: string | undefined): string {
  if (data) return `TEST: each bundle evaluated on the ${data} test split`;
  return rows.some((r) => r.testFrom)
    ? "TEST: as recorded in metrics.jsonl after the bundle's epoch (--data NAME evaluates every bundle)"
    : 'TEST: none recorded for these bundles; --data NAME evaluates them';
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, received "${String(value)}"`, 'compare');
  return n;
}

const command: Command = { name: 'compare', summary: 'a leaderboard of bundles, runs and sweeps', help, run };
export default command;
