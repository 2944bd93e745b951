import path from 'node:path';
import { ValidationError } from '../../../core/errors.js';
import type { Command } from '../command.js';
import { table } from '../format.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle sweep SWEEP_FILE [--workers N] [--output DIR] [--dry-run]
                       [--queue redis://HOST:PORT[/NAME] [--detach]]

Train every run of a sweep file (JSON or YAML, schemas/sweep.schema.json): a base config and
the values to vary by key path, as --set writes them ("grid": every combination; "runs":
explicit variants, each combined with the grid). Every run's config is validated before
anything trains, all problems listed at once with pointers into the sweep file.

Each run trains into OUTPUT/<run id>/ (epoch bundles, best.archbundle, metrics.jsonl, run.json);
OUTPUT/sweep.json indexes the runs and their states. Running the same sweep again skips the
runs that are done and resumes the others from their newest epoch bundle; Ctrl-C stops the
running runs, which resume the next time. Exits 1 when a run failed.

Options:
  --workers N     train N runs at once, each in its own process with 1/N of the cores (default 1)
  --output DIR    folder of the runs and sweep.json (default: the sweep file's "output",
                  else the base config's output)
  --dry-run       validate and list the runs (id, state, values) without training
  --queue URL     train on many machines: put the runs that are not done into a Redis queue
                  (named NAME, else after the sweep id) for \`archbundle worker\`s, and follow
                  them (done / running / failed / queued, ETA); see docs/sweep-queue.md
  --detach        with --queue: return once the runs are queued
  --verbose       stack traces on errors
  -h, --help      this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('sweep', argv, {
    workers: { type: 'string' },
    output: { type: 'string' },
    'dry-run': { type: 'boolean' },
    queue: { type: 'string' },
    detach: { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError('expected a sweep file', 'sweep');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`, 'sweep');
  const workersText = (values.workers as string | undefined) ?? '1';
  const workers = Number(workersText);
  if (!/^\d+$/.test(workersText) || workers < 1) throw new UsageError(`--workers must be a whole number ≥ 1, received "${workersText}"`, 'sweep');
  const queue = await queueAddress(values);

  const { loadSweep } = await import('../../sweep/load-sweep.js');
  let sweep;
  try {
    sweep = await loadSweep(positionals[0]!, { output: values.output as string | undefined, cwd: io.cwd });
  } catch (error) {
    if (!(error instanceof ValidationError) || error.issues.length === 0) throw error;
    // one line per problem, so a long sweep's errors stay readable
    io.err(`archbundle sweep: ${error.code}: ${error.subject} are invalid (${error.issues.length} problem${error.issues.length > 1 ? 's' : ''}):\n`);
    for (const issue of error.issues) io.err(`  ${issue.pointer || '/'}: ${issue.message}\n`);
    return EXIT.failed;
  }
  io.out(`sweep ${sweep.id}: ${sweep.runs.length} run${sweep.runs.length > 1 ? 's' : ''} in ${sweep.output}\n`);

  if (values['dry-run']) {
    const { readSweepIndex } = await import('../../sweep/index-file.js');
    const { readRunRecord } = await import('../../sweep/run-record.js');
    const index = await readSweepIndex(sweep.output);
    const owned = !index || index.sweep?.id === sweep.id;
    if (!owned) io.out(`note: ${sweep.output} belongs to another sweep (${String(index.sweep?.id)}); running this one there would fail\n`);
    const rows: string[][] = [];
    for (const r of sweep.runs) {
      const record = owned ? await readRunRecord(r.config.output) : null;
      const values = Object.entries(r.axes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      rows.push([r.id, record?.state ?? 'queued', String(record?.epochsDone ?? 0), String(r.config.epochs), values]);
    }
    io.out(table(['id', 'state', 'epochs done', 'epochs', 'values'], rows));
    return EXIT.ok;
  }

  if (queue) {
    const { sweepOnQueue } = await import('../../sweep/queue/sweep-on-queue.js');
    return sweepOnQueue(sweep, queue, { detach: Boolean(values.detach), io });
  }

  const { claimOutput, INDEX_FILE } = await import('../../sweep/index-file.js');
  const { LocalRunner, threadsPerWorker } = await import('../../sweep/local-runner.js');
  await claimOutput(sweep);
  io.out(`workers: ${workers}, ${threadsPerWorker(workers)} thread${threadsPerWorker(workers) > 1 ? 's' : ''} each (ARCHBUNDLE_THREADS)\n`);
  const runner = new LocalRunner(sweep, { workers, onLine: (text) => io.out(`${text}\n`), env: io.env });
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    io.out(interrupts === 1 ? 'stopping: ending the running runs (Ctrl-C again kills them at once)\n' : 'killing the running runs\n');
    runner.stop(interrupts > 1);
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  let summary;
  try {
    summary = await runner.run();
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
  io.out(`index: ${path.join(sweep.output, INDEX_FILE)}\n`);
  if (summary.interrupted > 0) {
    io.err(`archbundle sweep: stopped; ${summary.interrupted} run${summary.interrupted > 1 ? 's' : ''} left to train: run the same command again to resume\n`);
    return EXIT.failed;
  }
  if (summary.failed.length > 0) {
    for (const f of summary.failed) io.err(`archbundle sweep: run ${f.id} failed: ${f.code ? `${f.code}: ` : ''}${f.reason ?? 'unknown reason'}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** --queue's Redis address (usage errors for a bad URL, --detach alone, or --workers beside it). */
async function queueAddress(values: Record<string, unknown>) {
  if (values.queue === undefined) {
    if (values.detach) throw new UsageError('--detach needs --queue', 'sweep');
    return undefined;
  }
  if (values.workers !== undefined) throw new UsageError('--workers trains here; with --queue start workers instead (archbundle worker)', 'sweep');
  const { parseRedisUrl } = await import('../../sweep/queue/redis-url.js');
  const address = parseRedisUrl(values.queue as string);
  if (typeof address === 'string') throw new UsageError(address, 'sweep');
  return address;
}

const command: Command = { name: 'sweep', summary: 'train the runs of a sweep file (grid and variants), N at a time, resumable', help, run };
export default command;
