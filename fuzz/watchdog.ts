/**
 * Runs each target's campaign in a worker thread and watches it: when the heartbeat (a counter
 * the worker bumps before every input) stops for ten times the per-input cap, the worker is
 * blocked inside one input; it is terminated, the input is read from shared memory and saved as
 * a "hang" finding, and a new worker resumes after it from the last progress report. A worker
 * that dies (out of memory, an exception outside any input), or a process whose resident
 * memory passes a cap (tensors and wasm memory are outside the worker's heap limit), is
 * reported the same way: a few bytes that make a reader allocate gigabytes are a finding.
 */
import { Worker } from 'node:worker_threads';
import { addFinding, findingRecord, type FindingRecord, type TargetReport } from './report.js';
import { Heartbeat } from './heartbeat.js';
import type { WorkerJob, WorkerMessage } from './worker.js';

export interface WatchedTarget {
  name: string;
  /** URL of the module exporting createTarget. */
  module: string;
}

export interface WatchOptions {
  seed: number;
  iterations: number;
  timeCapMs: number;
  backend?: string;
  /** Largest input the heartbeat can hold (the targets cap their inputs below it). */
  maxInputBytes?: number;
  /** Time allowed for a worker to load and build its seeds. */
  setupTimeoutMs?: number;
  /** Heap cap of a worker: an input that makes a reader allocate without bound ends as a finding, not as a dead machine. */
  maxHeapMb?: number;
  /** Cap on the whole process's resident memory, checked with the heartbeat. */
  maxRssMb?: number;
  /** Each finding as it is found (worker findings arrive again after a restart; they are passed on once). */
  onFinding?(finding: FindingRecord): void;
  log?(line: string): void;
}

type Ending =
  | { kind: 'done'; report: TargetReport }
  | { kind: 'stuck' | 'died' | 'memory'; message: string; current?: ReturnType<Heartbeat['current']> };

export async function runWatched(targets: readonly WatchedTarget[], options: WatchOptions): Promise<TargetReport[]> {
  const reports: TargetReport[] = [];
  for (const target of targets) reports.push(await watchTarget(target, options));
  return reports;
}

async function watchTarget(target: WatchedTarget, options: WatchOptions): Promise<TargetReport> {
  const passedOn = new Set<string>();
  const ours: FindingRecord[] = [];
  const skip: number[] = [];
  let resume: { report?: TargetReport; next: number } = { next: 0 };
  const pass = (finding: FindingRecord) => {
    const key = `${finding.kind} ${finding.hash}`;
    if (passedOn.has(key)) return;
    passedOn.add(key);
    options.onFinding?.(finding);
  };
  for (;;) {
    const ending = await runWorker(target, options, resume, skip, pass, (progress) => (resume = progress));
    if (ending.kind === 'done') {
      const report = ending.report;
      for (const finding of ours) addFinding(report, finding);
      report.iterations += ours.length;
      if (ours.length > 0) report.codes.watchdog = Object.fromEntries(['hang', 'memory', 'worker'].map((k) => [k, ours.filter((f) => f.kind === k).length]));
      return report;
    }
    const current = ending.current;
    if (!current) throw new Error(`fuzz target ${target.name}: the worker failed before its first input: ${ending.message}`);
    const kind = ending.kind === 'stuck' ? 'hang' : ending.kind === 'memory' ? 'memory' : 'worker';
    const finding = findingRecord(target.name, current.iteration, kind, `${ending.message}${current.cut ? ` (input stored cut to ${current.bytes.length} bytes)` : ''}`, current.bytes);
    ours.push(finding);
    pass(finding);
    skip.push(current.iteration);
    options.log?.(`fuzz ${target.name}: ${finding.kind} at iteration ${current.iteration}; resuming at ${resume.next} after it`);
  }
}

function runWorker(
  target: WatchedTarget,
  options: WatchOptions,
  resume: { report?: TargetReport; next: number },
  skip: number[],
  onFinding: (finding: FindingRecord) => void,
  onProgress: (progress: { report: TargetReport; next: number }) => void,
): Promise<Ending> {
  const heartbeat = Heartbeat.create(options.maxInputBytes ?? 8 * 1024 * 1024);
  const job: WorkerJob = {
    module: target.module,
    seed: options.seed,
    iterations: options.iterations,
    timeCapMs: options.timeCapMs,
    start: resume.next,
    base: resume.report,
    skip,
    backend: options.backend,
    heartbeat: heartbeat.buffer,
  };
  const worker = startWorker(job, options.maxHeapMb ?? 4096);
  const silence = options.timeCapMs * 10;
  return new Promise<Ending>((resolve) => {
    let ready = false;
    let ended = false;
    let error: unknown;
    let beats = heartbeat.beats;
    let lastChange = performance.now();
    const started = performance.now();
    const end = (ending: Ending) => {
      if (ended) return;
      ended = true;
      clearInterval(poll);
      void worker.terminate().then(() => resolve(ending));
    };
    const poll = setInterval(() => {
      const now = performance.now();
      if (!ready) {
        if (now - started > (options.setupTimeoutMs ?? 180_000)) end({ kind: 'stuck', message: `no seeds after ${Math.round(now - started)} ms` });
        return;
      }
      const rss = process.memoryUsage.rss() / 2 ** 20;
      if (rss > (options.maxRssMb ?? 8192)) {
        end({ kind: 'memory', message: `the process's resident memory reached ${Math.round(rss)} MB (cap ${options.maxRssMb ?? 8192} MB) while this input ran: the worker was terminated`, current: heartbeat.current() });
      } else if (heartbeat.beats !== beats) {
        beats = heartbeat.beats;
        lastChange = now;
      } else if (now - lastChange > silence) {
        end({ kind: 'stuck', message: `one input has run for more than ${silence} ms (ten times the cap of ${options.timeCapMs} ms): the worker was terminated`, current: heartbeat.current() });
      }
    }, Math.max(10, Math.min(250, options.timeCapMs)));
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        ready = true;
        lastChange = performance.now();
      } else if (message.type === 'finding') onFinding(message.finding);
      else if (message.type === 'progress') onProgress({ report: message.report, next: message.next });
      else end({ kind: 'done', report: message.report });
    });
    worker.on('error', (e) => (error = e));
    worker.on('exit', (code) => {
      const why = error instanceof Error ? (error.stack ?? error.message) : `exit code ${code}`;
      end({ kind: 'died', message: `the worker died while running the input: ${why}`, current: heartbeat.beats > 0 ? heartbeat.current() : undefined });
    });
  });
}

/** Under tsx (these files are TypeScript), the worker registers tsx before importing the worker module. */
function startWorker(job: WorkerJob, maxHeapMb: number): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: job, resourceLimits });
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: job, resourceLimits });
}
