/**
 * `sweep --queue`'s second half: follows the queue until every run is done or failed, reporting
 * done / running / failed / queued and an ETA. Jobs that BullMQ failed without a worker writing
 * run.json (a run whose workers kept dying, beyond the stall limit) get their failure recorded
 * in run.json here, so sweep.json tells the truth.
 */
import type { Queue } from 'bullmq';
import type { ResolvedSweep } from '../../../core/sweep/types.js';
import { refreshIndex } from '../index-file.js';
import { readRunRecord, runFolder, writeRunRecord } from '../run-record.js';
import { openQueue } from './open-queue.js';
import type { RedisAddress } from './redis-url.js';

export interface QueueProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  queued: number;
  /** Seconds left at the pace of the runs finished while watching; null until one has. */
  etaSeconds: number | null;
}

export interface WatchOptions {
  /** Runs that were done before they could be queued. */
  doneBefore: number;
  onProgress(progress: QueueProgress): void;
  /** Redis stopped answering (said once per outage); following goes on when it is back. */
  onTrouble(text: string): void;
  intervalMs?: number;
}

export async function watchQueue(sweep: ResolvedSweep, address: RedisAddress, name: string, options: WatchOptions): Promise<QueueProgress> {
  const { queue, close } = openQueue(address, name);
  const started = Date.now();
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  let troubled = false;
  try {
    for (;;) {
      let counts;
      try {
        counts = await queue.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized');
      } catch (error) {
        // the runs go on in the workers; the adapter reconnects, so keep asking
        if (!troubled) options.onTrouble(`Redis does not answer (${(error as Error).message}); still following`);
        troubled = true;
        await pause();
        continue;
      }
      troubled = false;
      const queued = counts.waiting! + counts.delayed! + counts.prioritized!;
      const finishedHere = counts.completed! + counts.failed!;
      const remaining = queued + counts.active!;
      const elapsed = (Date.now() - started) / 1000;
      const progress: QueueProgress = {
        total: sweep.runs.length,
        done: options.doneBefore + counts.completed!,
        running: counts.active!,
        failed: counts.failed!,
        queued,
        etaSeconds: finishedHere > 0 ? (elapsed / finishedHere) * remaining : null,
      };
      options.onProgress(progress);
      if (remaining === 0) {
        await recordLostRuns(queue, sweep);
        await refreshIndex(sweep.output);
        return progress;
      }
      await pause();
    }
  } finally {
    await close();
  }
}

async function recordLostRuns(queue: Queue, sweep: ResolvedSweep): Promise<void> {
  for (const job of await queue.getFailed()) {
    if (!job.id) continue;
    const folder = runFolder(sweep, job.id);
    const record = await readRunRecord(folder);
    if (!record || record.state === 'failed' || record.state === 'done') continue;
    await writeRunRecord(folder, {
      ...record,
      state: 'failed',
      reason: `the queue gave the run up: ${job.failedReason}`,
      code: 'E_QUEUE',
      finishedAt: new Date().toISOString(),
    });
  }
}
