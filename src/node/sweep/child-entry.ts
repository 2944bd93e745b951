/**
 * A sweep's child process: `<entry> SWEEP_FILE OUTPUT RUN_ID`, forked by the local runner with
 * an IPC channel. It loads the sweep again (the same validation as the parent's, so the same
 * ids), trains the one run through runOne and reports progress and the outcome to the parent.
 * Threads come from ARCHBUNDLE_THREADS, which the parent sets.
 */
import '../files/node-sha256.js';
import { ArchbundleError } from '../../core/errors.js';
import type { ChildMessage } from './child-messages.js';
import { loadSweep } from './load-sweep.js';
import { runOne } from './run-one.js';

/** Progress messages at most this often: enough for an ETA, cheap for the channel. */
const PROGRESS_INTERVAL_MS = 500;

const [file, output, id] = process.argv.slice(2);

// The sweep that started this process is gone (killed): stop too, rather than train on unwatched
// beside the next sweep, which will resume this run from its newest bundle.
process.on('disconnect', () => process.exit(1));

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<number> {
  if (!file || !output || !id) {
    process.stderr.write('usage: child-entry SWEEP_FILE OUTPUT RUN_ID (started by archbundle sweep)\n');
    return 2;
  }
  try {
    const sweep = await loadSweep(file, { output });
    let lastProgress = 0;
    const outcome = await runOne(sweep, id, {
      onEvent(event) {
        if (event.kind === 'run-start') {
          void send({ kind: 'start', id, attempt: event.attempt, epochsDone: event.epochsDone, ...(event.resumeFrom ? { resumeFrom: event.resumeFrom } : {}) });
        } else if (event.kind === 'step') {
          const now = performance.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS && event.step !== event.steps) return;
          lastProgress = now;
          void send({ kind: 'progress', id, epoch: event.epoch, epochs: event.epochs, fraction: event.step / event.steps });
        }
      },
    });
    await send({ kind: 'outcome', id, state: outcome.state, skipped: outcome.skipped, record: outcome.record });
    return 0;
  } catch (error) {
    const code = error instanceof ArchbundleError ? error.code : undefined;
    await send({ kind: 'error', id, message: (error as Error)?.message ?? String(error), ...(code ? { code } : {}) });
    return 1;
  }
}

// exit explicitly: a backend's worker threads must not keep a finished child alive
process.exit(await main());
