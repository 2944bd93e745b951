/**
 * `archbundle sweep` on one machine: the runs not yet done are trained N at a time, each in a
 * child process (child-entry.ts) with its share of the cores as ARCHBUNDLE_THREADS. The parent
 * keeps sweep.json current, reports progress (done / running / failed / queued, ETA) and, when
 * stopped (Ctrl-C), ends its children and leaves their runs queued: the next sweep resumes them
 * from their newest epoch bundle. A child that dies without reporting marks its run failed.
 * One local sweep at a time per output folder (output-lock.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../../core/errors.js';
import type { ResolvedSweep, RunRecord } from '../../core/sweep/types.js';
import { duration, percent } from '../cli/format.js';
import type { ChildMessage } from './child-messages.js';
import { refreshIndex } from './index-file.js';
import { lockOutput } from './output-lock.js';
import { newestEpochBundle, removeStaleTemps } from './run-folder.js';
import { queuedRecord, readRunRecord, writeRunRecord } from './run-record.js';

export interface LocalRunnerOptions {
  /** Runs trained at once, each in its own process. */
  workers: number;
  /** Lines for people: runs starting and ending, and progress. */
  onLine?: (line: string) => void;
  /** The children's environment (default this process's); ARCHBUNDLE_THREADS is set on top. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds between progress lines while runs train (default 10 s). */
  progressIntervalMs?: number;
  /** Milliseconds a stopped child gets to end before it is killed (default 10 s). */
  stopGraceMs?: number;
}

export interface LocalSummary {
  /** Runs done, including those done before this sweep started. */
  done: number;
  /** Runs that were done already and were skipped. */
  skipped: number;
  failed: RunRecord[];
  /** Runs stopped by `stop()`, left queued to resume. */
  interrupted: number;
}

type LocalState = 'queued' | 'running' | 'done' | 'failed';

interface Tracked {
  id: string;
  label: string;
  state: LocalState;
  epochs: number;
  /** Epochs done when this sweep started training it: the ETA counts only what is left. */
  startEpochs: number;
  /** Epochs (fractional) trained by this sweep so far. */
  trained: number;
  child?: ChildProcess;
  outcome?: Extract<ChildMessage, { kind: 'outcome' }>;
  error?: { message: string; code?: ErrorCode };
  stderr: string;
}

/** How many cores each of `workers` children gets: the machine's split evenly, at least one. */
export function threadsPerWorker(workers: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

export class LocalRunner {
  private readonly runs: Tracked[] = [];
  private stopping = false;
  private started = 0;
  private indexChain: Promise<unknown> = Promise.resolve();
  private readonly line: (text: string) => void;

  constructor(
    private readonly sweep: ResolvedSweep,
    private readonly options: LocalRunnerOptions,
  ) {
    this.line = options.onLine ?? (() => {});
  }

  async run(): Promise<LocalSummary> {
    const release = await lockOutput(this.sweep.output);
    try {
      return await this.runLocked();
    } finally {
      await release();
    }
  }

  private async runLocked(): Promise<LocalSummary> {
    let skipped = 0;
    for (const run of this.sweep.runs) {
      const record = await readRunRecord(run.config.output);
      const label = `${run.id} (${Object.entries(run.axes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || 'base'})`;
      const done = record?.state === 'done';
      if (done) skipped += 1;
      this.runs.push({ id: run.id, label, state: done ? 'done' : 'queued', epochs: run.config.epochs, startEpochs: record?.epochsDone ?? 0, trained: 0, stderr: '' });
    }
    this.started = performance.now();
    if (skipped > 0) this.line(`${skipped} of ${this.runs.length} runs already done, skipped`);
    this.line(this.progressLine());
    const ticker = setInterval(() => this.line(this.progressLine()), this.options.progressIntervalMs ?? 10_000);
    ticker.unref();
    try {
      await new Promise<void>((resolve) => this.launchAll(resolve));
    } finally {
      clearInterval(ticker);
    }
    await this.refresh();
    await this.indexChain;
    const failed: RunRecord[] = [];
    for (const run of this.runs) {
      if (run.state !== 'failed') continue;
      const record = await readRunRecord(this.sweep.runs.find((r) => r.id === run.id)!.config.output);
      if (record) failed.push(record);
    }
    return {
      done: this.runs.filter((r) => r.state === 'done').length,
      skipped,
      failed,
      interrupted: this.stopping ? this.runs.filter((r) => r.state === 'queued').length : 0,
    };
  }

  /** Starts no more runs and ends the running children (SIGTERM; `force` or after the grace time, SIGKILL). */
  stop(force = false): void {
    const first = !this.stopping;
    this.stopping = true;
    for (const run of this.runs) {
      if (!run.child || run.child.exitCode !== null || run.child.signalCode !== null) continue;
      run.child.kill(force ? 'SIGKILL' : 'SIGTERM');
      if (first && !force) setTimeout(() => run.child?.kill('SIGKILL'), this.options.stopGraceMs ?? 10_000).unref();
    }
  }

  /** Launches queued runs while there are free workers; resolves when nothing runs and nothing is left to launch. */
  private launchAll(finished: () => void): void {
    const running = this.runs.filter((r) => r.state === 'running').length;
    const next = this.stopping ? [] : this.runs.filter((r) => r.state === 'queued' && !r.child).slice(0, Math.max(0, this.options.workers - running));
    for (const run of next) this.launch(run, () => this.launchAll(finished));
    if (running + next.length === 0) finished();
  }

  private launch(run: Tracked, exited: () => void): void {
    const entry = childEntry();
    const child = fork(entry.file, [this.sweep.file, this.sweep.output, run.id], {
      execArgv: entry.execArgv,
      env: { ...(this.options.env ?? process.env), ARCHBUNDLE_THREADS: String(threadsPerWorker(this.options.workers)) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    run.child = child;
    run.state = 'running';
    child.stderr?.on('data', (chunk: Buffer) => {
      run.stderr = (run.stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.on('message', (message: ChildMessage) => this.receive(run, message));
    child.on('close', (code, signal) => {
      void this.settle(run, code, signal).then(exited, (error: unknown) => {
        this.line(`run ${run.label}: ${(error as Error).message}`);
        exited();
      });
    });
    child.on('error', (error) => {
      run.error = { message: `cannot start its process: ${error.message}` };
    });
  }

  private receive(run: Tracked, message: ChildMessage): void {
    switch (message.kind) {
      case 'start':
        run.startEpochs = message.epochsDone;
        this.line(`run ${run.label}: ${message.resumeFrom ? `resumed after epoch ${message.epochsDone}` : 'started'} (attempt ${message.attempt})`);
        this.refresh();
        break;
      case 'progress':
        run.trained = Math.max(0, message.epoch - 1 + message.fraction - run.startEpochs);
        break;
      case 'outcome':
        run.outcome = message;
        break;
      case 'error':
        run.error = { message: message.message, ...(message.code ? { code: message.code } : {}) };
        break;
    }
  }

  /** After a child exits: the run's state from its outcome, or queued (stopped) or failed (died) in run.json. */
  private async settle(run: Tracked, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    run.child = undefined;
    const outcome = run.outcome;
    const resolved = this.sweep.runs.find((r) => r.id === run.id)!;
    const folder = resolved.config.output;
    if (outcome) {
      run.state = outcome.state;
      run.trained = run.epochs - run.startEpochs;
      const r = outcome.record;
      this.line(
        outcome.state === 'done'
          ? `run ${run.label}: done${outcome.skipped ? ' (already)' : ''}, test accuracy ${percent(r.test?.accuracy)}, best val_accuracy ${percent(r.best?.val_accuracy)}`
          : `run ${run.label}: failed: ${r.code ? `${r.code}: ` : ''}${r.reason ?? 'unknown reason'}`,
      );
    } else {
      await removeStaleTemps(folder);
      const record: RunRecord = (await readRunRecord(folder)) ?? queuedRecord(this.sweep, resolved);
      const newest = await newestEpochBundle(folder);
      record.epochsDone = newest?.epoch ?? 0;
      if (newest) record.lastBundle = path.basename(newest.file);
      // Ctrl-C in a terminal reaches the children too (one process group), maybe before this process sees it
      if ((this.stopping || signal === 'SIGINT') && !run.error) {
        run.state = 'queued';
        record.state = 'queued';
        delete record.reason;
        delete record.code;
        this.line(`run ${run.label}: stopped after epoch ${record.epochsDone}; it resumes from there next time`);
      } else {
        run.state = 'failed';
        run.trained = run.epochs - run.startEpochs;
        record.state = 'failed';
        record.finishedAt = new Date().toISOString();
        const ended = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const lastLine = run.stderr.trim().split('\n').at(-1);
        record.reason = run.error?.message ?? `its process ${ended}${lastLine ? `: ${lastLine}` : ''}`;
        if (run.error?.code) record.code = run.error.code;
        else delete record.code;
        this.line(`run ${run.label}: failed: ${record.code ? `${record.code}: ` : ''}${record.reason}`);
      }
      await writeRunRecord(folder, record);
    }
    await this.refresh();
    this.line(this.progressLine());
  }

  private refresh(): Promise<unknown> {
    this.indexChain = this.indexChain.then(
      () => refreshIndex(this.sweep.output),
      () => refreshIndex(this.sweep.output),
    );
    return this.indexChain.catch((error: unknown) => this.line(`sweep.json not updated: ${(error as Error).message}`));
  }

  /** "3 done, 2 running, 0 failed, 5 queued, ETA 4:10": the ETA from the epochs trained so far in this sweep. */
  progressLine(): string {
    const count = (state: LocalState) => this.runs.filter((r) => r.state === state).length;
    let total = 0;
    let trained = 0;
    for (const run of this.runs) {
      if (run.state === 'done' && run.trained === 0) continue; // done before this sweep started
      total += Math.max(0, run.epochs - run.startEpochs);
      trained += Math.min(run.trained, run.epochs - run.startEpochs);
    }
    const seconds = (performance.now() - this.started) / 1000;
    const eta = trained > 0 && total > trained ? ` ETA ${duration(((total - trained) * seconds) / trained)}` : '';
    return `sweep ${this.sweep.id}: ${count('done')} done, ${count('running')} running, ${count('failed')} failed, ${count('queued')} queued${eta}`;
  }
}

/**
 * The child's entry file beside this one: child-entry.ts under tsx (a checkout; tsx's loader is
 * passed by absolute URL so the child finds it from any working folder), child-entry.js when
 * compiled (an installed package).
 */
function childEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const extension = path.extname(here);
  const file = path.join(path.dirname(here), `child-entry${extension}`);
  return { file, execArgv: extension === '.ts' ? ['--import', import.meta.resolve('tsx')] : [] };
}
