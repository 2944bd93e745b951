/**
 * `sweep --queue`'s first half: claims the output folder and the queue for the sweep, then puts
 * every run that is not done into the queue, once (the job id is the run id). Jobs left from an
 * earlier pass (finished or failed) are removed first, so the queue's counts are this pass's.
 */
import type { Queue } from 'bullmq';
import type { ResolvedSweep } from '../../../core/sweep/types.js';
import { claimOutput } from '../index-file.js';
import { readRunRecord, runFolder } from '../run-record.js';
import { probeRedis } from './connection.js';
import { defaultQueueName, JOB_NAME, type RunJobData } from './job.js';
import { openQueue } from './open-queue.js';
import { claimQueue } from './queue-owner.js';
import type { RedisAddress } from './redis-url.js';

export interface EnqueueResult {
  /** The queue's name (from the URL, else from the sweep id). */
  queue: string;
  /** Run ids put into the queue now. */
  queued: string[];
  /** Run ids already waiting for or held by a worker (left as they are). */
  pending: string[];
  /** Run ids already done (not queued). */
  done: string[];
}

export async function enqueueSweep(sweep: ResolvedSweep, address: RedisAddress): Promise<EnqueueResult> {
  const client = await probeRedis(address);
  const name = address.queue ?? defaultQueueName(sweep.id);
  const { queue, close } = openQueue(address, name);
  try {
    await claimOutput(sweep);
    await claimQueue(client, address, queue, sweep.id);
    const result: EnqueueResult = { queue: name, queued: [], pending: [], done: [] };
    for (const run of sweep.runs) {
      const record = await readRunRecord(runFolder(sweep, run.id));
      if (record?.state === 'done') {
        await removeFinishedJob(queue, run.id);
        result.done.push(run.id);
      } else if (await removeFinishedJob(queue, run.id)) {
        const data: RunJobData = { sweep: sweep.id, file: sweep.file, output: sweep.output, run: run.id };
        await queue.add(JOB_NAME, data, { jobId: run.id, attempts: 1, removeOnComplete: false, removeOnFail: false });
        result.queued.push(run.id);
      } else {
        result.pending.push(run.id);
      }
    }
    return result;
  } finally {
    await close();
    client.disconnect();
  }
}

/** Removes the run's job if it finished or failed; false when it is still waiting or running. */
async function removeFinishedJob(queue: Queue, runId: string): Promise<boolean> {
  const job = await queue.getJob(runId);
  if (!job) return true;
  const state = await job.getState();
  if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
  await job.remove();
  return true;
}
