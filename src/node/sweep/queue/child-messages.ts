/** What a worker's run process tells the worker over its IPC channel. */
import type { ErrorCode } from '../../../core/errors.js';
import type { RunJobData } from './job.js';

/** The first and only message the worker sends to a run process. */
export interface RunOrder {
  job: RunJobData;
  threads: number;
  /** "host:pid" of the worker process, for run.json. */
  worker: string;
}

export type ChildMessage =
  /** A line worth showing in the worker's log (run start, epoch summaries, checkpoints, test). */
  | { kind: 'line'; text: string }
  | { kind: 'outcome'; state: 'done' | 'failed'; skipped: boolean; epochsDone: number; resumedFrom?: string; reason?: string; code?: ErrorCode }
  /** The run could not even start (sweep file gone or changed, folder owned by another sweep). */
  | { kind: 'error'; message: string; code?: ErrorCode };
