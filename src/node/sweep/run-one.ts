/**
 * Trains one run of a sweep in this process, into its folder: skipped when its run.json says
 * done, resumed from its newest epoch bundle when there is one, and marked failed (with the
 * reason and error code) when training throws. run.json is kept current as epochs complete.
 * The local runner's child processes and the queue's workers both run runs through here.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ArchbundleError } from '../../core/errors.js';
import type { ResolvedSweep, RunRecord } from '../../core/sweep/types.js';
import type { SessionEvent } from '../train/session.js';
import type { EpochMetrics } from '../../tfjs/train/loop.js';
import { newestEpochBundle, removeStaleTemps, trimMetrics } from './run-folder.js';
import { queuedRecord, readRunRecord, writeRunRecord } from './run-record.js';

export type RunEvent =
  | SessionEvent
  /** Training starts (or resumes from `resumeFrom`, a bundle path). */
  | { kind: 'run-start'; id: string; attempt: number; resumeFrom?: string; epochsDone: number }
  | { kind: 'run-record'; record: RunRecord };

export interface RunOneOptions {
  /**
   * Threads for the backend, as `train --threads` (ahead of ARCHBUNDLE_THREADS and the config's
   * threads). A process sets its backend up once, so it counts for the first run it trains.
   */
  threads?: number;
  onEvent?: (event: RunEvent) => void;
  /** Who runs it, for run.json's "worker"; default "<host name>:<pid>". */
  worker?: string;
}

export interface RunOutcome {
  id: string;
  state: 'done' | 'failed';
  /** True when the run was already done and nothing was trained. */
  skipped: boolean;
  /** The bundle training resumed from, when it did. */
  resumedFrom?: string;
  record: RunRecord;
}

export async function runOne(sweep: ResolvedSweep, runId: string, options: RunOneOptions = {}): Promise<RunOutcome> {
  const run = sweep.runs.find((r) => r.id === runId);
  if (!run) throw new ArchbundleError('E_SWEEP', `sweep ${sweep.id} (${sweep.file}) has no run ${runId}`);
  const emit = options.onEvent ?? (() => {});
  const folder = run.config.output;
  await mkdir(folder, { recursive: true });
  const existing = await readRunRecord(folder);
  if (existing && existing.sweep !== sweep.id) {
    throw new ArchbundleError('E_SWEEP', `run folder ${folder} belongs to sweep ${existing.sweep}, not to this sweep (${sweep.id})`);
  }
  if (existing?.state === 'done') return { id: run.id, state: 'done', skipped: true, record: existing };

  await removeStaleTemps(folder);
  const newest = await newestEpochBundle(folder);
  await trimMetrics(folder, newest?.epoch ?? 0);
  const record: RunRecord = {
    ...queuedRecord(sweep, run),
    attempts: (existing?.attempts ?? 0) + 1,
    state: 'running',
    worker: options.worker ?? `${os.hostname()}:${process.pid}`,
    startedAt: new Date().toISOString(),
    epochsDone: newest?.epoch ?? 0,
    ...(newest ? { lastBundle: path.basename(newest.file) } : {}),
    ...(existing?.best ? { best: existing.best } : {}),
  };
  const updates = new RecordWriter(folder, emit);
  await updates.write(record);
  emit({ kind: 'run-start', id: run.id, attempt: record.attempts, epochsDone: record.epochsDone, ...(newest ? { resumeFrom: newest.file } : {}) });

  const { trainFromConfig } = await import('../train/session.js');
  try {
    const result = await trainFromConfig(run.config, {
      ...(newest ? { resume: newest.file } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      onEvent(event) {
        emit(event);
        if (event.kind === 'epoch-end') {
          record.epochsDone = event.metrics.epoch;
          record.best = bestOf([event.metrics], record.best);
        } else if (event.kind === 'checkpoint' && !event.best) {
          record.lastBundle = path.basename(event.file);
          updates.queue(record);
        }
      },
    });
    await updates.settle();
    const history = result.state.history;
    const finished: RunRecord = {
      ...record,
      state: 'done',
      finishedAt: new Date().toISOString(),
      epochsDone: result.state.epoch,
      ...(result.lastBundle ? { lastBundle: path.basename(result.lastBundle) } : {}),
      test: { accuracy: result.test.accuracy, loss: result.test.loss },
      trainSeconds: history.reduce((sum, m) => sum + m.seconds, 0),
    };
    const best = bestOf(history);
    if (best) finished.best = best;
    else delete finished.best;
    await updates.write(finished);
    return { id: run.id, state: 'done', skipped: false, ...(newest ? { resumedFrom: newest.file } : {}), record: finished };
  } catch (error) {
    await updates.settle().catch(() => undefined);
    const last = await newestEpochBundle(folder);
    const failed: RunRecord = {
      ...record,
      state: 'failed',
      reason: (error as Error)?.message ?? String(error),
      finishedAt: new Date().toISOString(),
      epochsDone: last?.epoch ?? 0,
    };
    if (last) failed.lastBundle = path.basename(last.file);
    else delete failed.lastBundle;
    if (error instanceof ArchbundleError) failed.code = error.code;
    await updates.write(failed);
    return { id: run.id, state: 'failed', skipped: false, ...(newest ? { resumedFrom: newest.file } : {}), record: failed };
  }
}

/** The epoch with the highest validation accuracy (the earliest on ties), or `previous` when none beats it. */
function bestOf(metrics: readonly EpochMetrics[], previous?: RunRecord['best']): RunRecord['best'] {
  let best = previous;
  for (const m of metrics) {
    // a diverged epoch is never the best, whatever its validation accuracy
    if (m.val_accuracy === null || !Number.isFinite(m.val_accuracy) || !Number.isFinite(m.loss)) continue;
    if (!best || m.val_accuracy > best.val_accuracy) best = { epoch: m.epoch, val_accuracy: m.val_accuracy };
  }
  return best;
}

/** Writes run.json in order: updates from training's (synchronous) events are chained, never interleaved. */
class RecordWriter {
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly folder: string,
    private readonly emit: (event: RunEvent) => void,
  ) {}

  queue(record: RunRecord): void {
    const snapshot = structuredClone(record);
    this.chain = this.chain
      .then(() => this.store(snapshot))
      .catch((error: unknown) => void (this.failure ??= error));
  }

  async write(record: RunRecord): Promise<void> {
    this.queue(record);
    await this.settle();
  }

  /** Waits for the queued writes; throws the first that failed (once). */
  async settle(): Promise<void> {
    await this.chain;
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  private async store(record: RunRecord): Promise<void> {
    await writeRunRecord(this.folder, record);
    this.emit({ kind: 'run-record', record });
  }
}
