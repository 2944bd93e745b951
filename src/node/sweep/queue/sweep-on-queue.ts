/**
 * `archbundle sweep FILE --queue URL [--detach]`: queues the runs that are not done, says how
 * to start workers, then (unless detached) follows the queue until every run is done or failed.
 */
import path from 'node:path';
import type { ResolvedSweep } from '../../../core/sweep/types.js';
import { INDEX_FILE, readSweepIndex } from '../index-file.js';
import { enqueueSweep } from './enqueue.js';
import { formatRedisUrl, type RedisAddress } from './redis-url.js';
import { watchQueue, type QueueProgress } from './watch.js';

/** Where the command writes (the CLI's Io fits). */
export interface Printer {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export interface SweepOnQueueOptions {
  detach: boolean;
  io: Printer;
  /** How often the queue is polled while following it. */
  intervalMs?: number;
}

/** Without a terminal, the longest time between two progress lines whose counts are the same. */
const QUIET_LOG_MS = 30_000;

/** Returns the exit code: 0 when every run is done (or, detached, queued), 1 when one failed. */
export async function sweepOnQueue(sweep: ResolvedSweep, address: RedisAddress, options: SweepOnQueueOptions): Promise<number> {
  const { io } = options;
  const queued = await enqueueSweep(sweep, address);
  const url = formatRedisUrl(address, queued.queue);
  io.out(
    `queue ${url}: ${queued.queued.length} queued now, ${queued.pending.length} already queued or running, ` +
      `${queued.done.length} done before\n`,
  );
  io.out(`start workers (any machine that sees ${sweep.output} at that path): archbundle worker --queue ${url}\n`);
  if (options.detach) return 0;
  io.out('following the queue (Ctrl-C stops following; the workers go on)\n');

  // a terminal's line is redrawn at every poll; a log gets a line when the counts change, or now and then
  let lastCounts = '';
  let lastLine = 0;
  const final = await watchQueue(sweep, address, queued.queue, {
    doneBefore: queued.done.length,
    intervalMs: options.intervalMs,
    onTrouble(text) {
      io.out(`${io.isTTY ? '\r\x1b[2K' : ''}${text}\n`);
      lastCounts = '';
    },
    onProgress(progress) {
      const text = progressText(progress);
      if (io.isTTY) return io.out(`\r\x1b[2K${text}`);
      const counts = progressText({ ...progress, etaSeconds: null });
      if (counts === lastCounts && Date.now() - lastLine < QUIET_LOG_MS) return;
      lastCounts = counts;
      lastLine = Date.now();
      io.out(`${text}\n`);
    },
  });
  if (io.isTTY) io.out('\n');
  io.out(`index: ${path.join(sweep.output, INDEX_FILE)}\n`);
  // the run folders are the truth: the queue's counts cannot see runs that left it unfinished
  const runs = (await readSweepIndex(sweep.output))?.runs ?? [];
  const failed = runs.filter((run) => run.state === 'failed');
  const unfinished = runs.filter((run) => run.state !== 'done' && run.state !== 'failed');
  for (const run of failed) io.err(`archbundle sweep: run ${run.id} failed: ${run.code ? `${run.code}: ` : ''}${run.reason ?? 'unknown reason'}\n`);
  if (unfinished.length > 0) {
    io.err(
      `archbundle sweep: ${unfinished.length} run${unfinished.length === 1 ? ' is' : 's are'} not finished but no longer in the queue ` +
        `(did Redis lose its data?): run this command again to queue ${unfinished.length === 1 ? 'it' : 'them'}\n`,
    );
  }
  return failed.length + unfinished.length === 0 && final.failed === 0 ? 0 : 1;
}

export function progressText(p: QueueProgress): string {
  const eta = p.queued + p.running === 0 ? '' : p.etaSeconds === null ? ', ETA after the first run' : `, ETA ${clock(p.etaSeconds)}`;
  return `${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed, ${p.queued} queued${eta}`;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}
