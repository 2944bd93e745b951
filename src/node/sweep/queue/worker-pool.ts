/**
 * `archbundle worker`: takes runs from a sweep's queue, at most `concurrency` at a time, each
 * trained in its own child process (run-child.ts) with an even share of the cores.
 *
 * A worker that dies holds its jobs' locks no longer; after `stallSeconds` BullMQ's stalled-job
 * check (run by every live worker) puts those runs back in the queue and another worker resumes
 * them from their newest epoch bundle. A worker that is asked to stop (SIGINT, SIGTERM) ends its
 * run processes and puts their runs back at once, without waiting for the lock to expire.
 */
import os from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { refreshIndex } from '../index-file.js';
import { KEY_PREFIX, probeRedis, workerConnection } from './connection.js';
import type { RunOrder } from './child-messages.js';
import type { RunJobData, RunJobResult } from './job.js';
import { openQueue } from './open-queue.js';
import type { RedisAddress } from './redis-url.js';
import { RunProcesses } from './run-process.js';

export interface WorkerOptions {
  /** Runs trained at once. */
  concurrency: number;
  /** Threads for all runs together (split evenly); default every core this process may use. */
  threads?: number;
  /** Lock duration and stalled-check interval: how soon a dead worker's run is handed on. */
  stallSeconds: number;
  /** How often a run may lose its worker before the queue gives it up (marks it failed). */
  maxStalls: number;
  /** Stop once the queue has had runs and none is left queued or running for this long. */
  idleExitSeconds?: number;
  onLine(text: string): void;
}

export interface WorkerSummary {
  done: number;
  failed: number;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped (asked to, or idle). */
  finished: Promise<WorkerSummary>;
  /** Ends the run processes, puts their runs back into the queue, and closes. */
  stop(): Promise<WorkerSummary>;
}

export function threadsPerRun(total: number, concurrency: number): number {
  return Math.max(1, Math.floor(total / concurrency));
}

export async function startWorker(address: RedisAddress, queueName: string, options: WorkerOptions): Promise<RunningWorker> {
  (await probeRedis(address)).disconnect();
  const name = `${os.hostname()}:${process.pid}`;
  const threads = threadsPerRun(options.threads ?? os.availableParallelism(), options.concurrency);
  const children = new RunProcesses();
  const summary: WorkerSummary = { done: 0, failed: 0 };
  let stopping = false;
  const log = options.onLine;

  const processor = async (job: Job<RunJobData, RunJobResult>, token?: string): Promise<RunJobResult> => {
    const id = job.data.run;
    log(`${id}: taken (sweep ${job.data.sweep}, ${threads} thread${threads === 1 ? '' : 's'})`);
    const order: RunOrder = { job: job.data, threads, worker: name };
    const { answer, how } = await children.run(order, log);
    await refreshIndex(job.data.output).catch((error: Error) => log(`${id}: sweep.json not rebuilt: ${error.message}`));
    // asked to stop mid-run (or the run process was, by a batch system signalling every process):
    // the run goes back to the queue now, not after its lock expires
    if (answer?.kind !== 'outcome' && (stopping || how === 'signal SIGTERM' || how === 'signal SIGINT')) {
      await job.moveToWait(token);
      log(`${id}: put back into the queue (worker stopping)`);
      throw new WaitingError();
    }
    if (answer?.kind === 'outcome' && answer.state === 'done') {
      summary.done++;
      log(`${id}: ${answer.skipped ? 'already done' : `done after epoch ${answer.epochsDone}`}`);
      return { state: 'done', skipped: answer.skipped, epochsDone: answer.epochsDone, ...(answer.resumedFrom ? { resumedFrom: answer.resumedFrom } : {}) };
    }
    summary.failed++;
    const reason =
      answer?.kind === 'outcome'
        ? `${answer.code ? `${answer.code}: ` : ''}${answer.reason ?? 'failed'}`
        : answer?.kind === 'error'
          ? `${answer.code ? `${answer.code}: ` : ''}${answer.message}`
          : `its process ended (${how}) without a result`;
    log(`${id}: failed: ${reason}`);
    // a run that failed (NaN loss, bad data) fails again the same way: no retry
    throw new UnrecoverableError(reason);
  };

  const connection = workerConnection(address);
  const worker = new Worker<RunJobData, RunJobResult>(queueName, processor, {
    connection,
    prefix: KEY_PREFIX,
    concurrency: options.concurrency,
    lockDuration: options.stallSeconds * 1000,
    stalledInterval: options.stallSeconds * 1000,
    maxStalledCount: options.maxStalls,
  });
  // ioredis retries every couple of seconds while Redis is away, each try an error: one line per
  // kind of trouble, and one when Redis answers again, so a long outage does not flood the log
  let trouble: string | null = null;
  worker.on('error', (error) => {
    if (error.message === trouble) return;
    trouble = error.message;
    log(`queue connection: ${error.message}`);
  });
  connection.on('ready', () => {
    if (trouble === null) return;
    trouble = null;
    log('queue connection: Redis answers again');
  });
  worker.on('stalled', (jobId) => log(`${jobId}: its worker stopped answering; back in the queue`));
  log(`worker ${name}: queue ${queueName}, ${options.concurrency} run${options.concurrency === 1 ? '' : 's'} at a time, ${threads} thread${threads === 1 ? '' : 's'} each`);

  const watcher = openQueue(address, queueName); // its errors are the worker's own, logged once above
  let resolveFinished!: (summary: WorkerSummary) => void;
  const finished = new Promise<WorkerSummary>((resolve) => (resolveFinished = resolve));
  let closing: Promise<WorkerSummary> | undefined;
  const stop = (): Promise<WorkerSummary> => {
    closing ??= (async () => {
      stopping = true;
      clearInterval(idleTimer);
      children.stopAll();
      await worker.close();
      connection.disconnect();
      await watcher.close();
      resolveFinished(summary);
      return summary;
    })();
    return closing;
  };

  let idleSince: number | null = null;
  const idleTimer = options.idleExitSeconds === undefined ? undefined : setInterval(() => void idleCheck().catch(() => undefined), 1000);
  const idleCheck = async () => {
    if (stopping) return;
    const counts = await watcher.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    const left = counts.waiting! + counts.delayed! + counts.prioritized! + counts.active!;
    const hadRuns = counts.completed! + counts.failed! > 0;
    if (left > 0 || !hadRuns || children.size > 0) {
      idleSince = null;
      return;
    }
    idleSince ??= Date.now();
    if (Date.now() - idleSince >= options.idleExitSeconds! * 1000) {
      log(`worker ${name}: nothing left in the queue for ${options.idleExitSeconds} s; stopping`);
      void stop();
    }
  };

  return { finished, stop };
}
