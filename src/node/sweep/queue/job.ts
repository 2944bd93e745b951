/** What one queued run carries: enough for any worker to find the sweep and the run's folder. */
export interface RunJobData {
  /** The sweep's id (12 hex digits); a worker refuses a sweep file that no longer resolves to it. */
  sweep: string;
  /** Absolute path of the sweep file; workers load it (it must be at the same path on every machine). */
  file: string;
  /** Absolute output folder shared by the workers. */
  output: string;
  /** The run's id; also the BullMQ job id, so a run is queued at most once. */
  run: string;
}

/** What a finished job returns (BullMQ keeps it with the completed job). */
export interface RunJobResult {
  state: 'done';
  skipped: boolean;
  epochsDone: number;
  resumedFrom?: string;
}

export const JOB_NAME = 'run';

/** The queue's name when the URL names none. */
export function defaultQueueName(sweepId: string): string {
  return `sweep-${sweepId}`;
}
