/**
 * One run in its own process, started by `archbundle worker` (worker-pool.ts): loads the sweep
 * from the job's file, checks it is still the queued sweep, and trains the run with runOne
 * (resuming from the newest epoch bundle). A process per run gives each run its own TF.js
 * backend and thread count, and keeps the worker's event loop free to renew the job's lock.
 *
 * It must never outlive its worker: a worker killed with SIGKILL cannot stop it, and its run will
 * be handed to another worker, so it exits as soon as it sees that its parent is gone.
 */
import '../../files/node-sha256.js';
import { ArchbundleError } from '../../../core/errors.js';
import { loadSweep } from '../load-sweep.js';
import { runOne, type RunEvent } from '../run-one.js';
import type { ChildMessage, RunOrder } from './child-messages.js';

/** Exit code of a run process whose worker died (nobody reads it; it tells a human reading ps). */
const ORPHANED = 70;

const parent = process.ppid;
/** Checked on every training step: a dead parent's 'disconnect' event would wait for the event loop. */
function exitIfOrphaned(): void {
  if (process.ppid !== parent || !process.connected) process.exit(ORPHANED);
}
process.on('disconnect', () => process.exit(ORPHANED));
// Ctrl-C reaches the whole foreground process group; the worker decides what its runs do (SIGTERM)
process.on('SIGINT', () => undefined);

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) process.exit(ORPHANED);
    process.send!(message, undefined, {}, () => resolve());
  });
}

function describe(id: string, event: RunEvent): string | null {
  switch (event.kind) {
    case 'run-start':
      return event.resumeFrom ? `${id}: attempt ${event.attempt}, resuming after epoch ${event.epochsDone} from ${event.resumeFrom}` : `${id}: attempt ${event.attempt}, from the start`;
    case 'backend':
      return `${id}: backend ${event.info.name}, ${event.info.threads} thread${event.info.threads === 1 ? '' : 's'}`;
    case 'epoch-end': {
      const m = event.metrics;
      const val = m.val_accuracy === null ? '' : ` val_acc ${m.val_accuracy.toFixed(4)}`;
      return `${id}: epoch ${m.epoch} loss ${m.loss.toFixed(4)} acc ${m.accuracy.toFixed(4)}${val} (${m.seconds.toFixed(1)} s)`;
    }
    case 'checkpoint':
      return event.best ? null : `${id}: checkpoint ${event.file}`;
    case 'test':
      return `${id}: test accuracy ${event.evaluation.accuracy.toFixed(4)}`;
    default:
      return null;
  }
}

async function run(order: RunOrder): Promise<ChildMessage> {
  const { job } = order;
  const sweep = await loadSweep(job.file, { output: job.output });
  if (sweep.id !== job.sweep) {
    return {
      kind: 'error',
      code: 'E_QUEUE',
      message: `sweep file ${job.file} now resolves to sweep ${sweep.id}, not to the queued sweep ${job.sweep} (was it edited?)`,
    };
  }
  const outcome = await runOne(sweep, job.run, {
    threads: order.threads,
    worker: order.worker,
    onEvent(event) {
      exitIfOrphaned();
      const text = describe(job.run, event);
      if (text) void send({ kind: 'line', text });
    },
  });
  return {
    kind: 'outcome',
    state: outcome.state,
    skipped: outcome.skipped,
    epochsDone: outcome.record.epochsDone,
    ...(outcome.resumedFrom ? { resumedFrom: outcome.resumedFrom } : {}),
    ...(outcome.record.reason ? { reason: outcome.record.reason } : {}),
    ...(outcome.record.code ? { code: outcome.record.code } : {}),
  };
}

process.once('message', (order: RunOrder) => {
  run(order)
    .catch((error: unknown): ChildMessage => ({
      kind: 'error',
      message: (error as Error)?.message ?? String(error),
      ...(error instanceof ArchbundleError ? { code: error.code } : {}),
    }))
    .then(send)
    .then(() => process.exit(0));
});
