/** What a sweep's child process tells its parent over the IPC channel (see child-entry.ts, local-runner.ts). */
import type { ErrorCode } from '../../core/errors.js';
import type { RunRecord } from '../../core/sweep/types.js';

export type ChildMessage =
  | { kind: 'start'; id: string; attempt: number; epochsDone: number; resumeFrom?: string }
  /** Where training stands: `epoch` is the one in progress, `fraction` of its steps done. */
  | { kind: 'progress'; id: string; epoch: number; epochs: number; fraction: number }
  | { kind: 'outcome'; id: string; state: 'done' | 'failed'; skipped: boolean; record: RunRecord }
  /** The run could not even start (the sweep file changed, its folder is another sweep's, ...). */
  | { kind: 'error'; id: string; message: string; code?: ErrorCode };
