/**
 * The worker side of the watchdog: builds each target in turn and runs its campaign, storing
 * every input in shared memory before running it (so the parent can save the input that
 * blocked) and posting findings as they come and the report every half second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendRequest } from '../src/tfjs/backend/select.js';
import type { FindingRecord, TargetReport } from './report.js';
import { runTarget } from './runner.js';
import type { TargetFactory } from './target.js';
import { Heartbeat } from './heartbeat.js';

export interface WorkerJob {
  /** URL of the target's module, which exports createTarget. */
  module: string;
  seed: number;
  iterations: number;
  timeCapMs: number;
  start: number;
  base?: TargetReport;
  skip: number[];
  backend?: string;
  heartbeat: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'finding'; finding: FindingRecord }
  | { type: 'progress'; report: TargetReport; next: number }
  | { type: 'done'; report: TargetReport };

const job = workerData as WorkerJob;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const heartbeat = new Heartbeat(job.heartbeat);

await selectBackend(job.backend as BackendRequest | undefined);
const { createTarget } = (await import(job.module)) as { createTarget: TargetFactory };
const target = await createTarget();
post({ type: 'ready' });
const report = await runTarget(target, {
  iterations: job.iterations,
  seed: job.seed,
  timeCapMs: job.timeCapMs,
  start: job.start,
  base: job.base,
  skip: new Set(job.skip),
  onInput: (iteration, bytes) => heartbeat.beat(iteration, bytes),
  onFinding: (finding) => post({ type: 'finding', finding }),
  onProgress: (snapshot, next) => post({ type: 'progress', report: snapshot, next }),
});
post({ type: 'done', report });
