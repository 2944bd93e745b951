/**
 * The child processes a worker trains its runs in (run-child.ts): one per run, told what to run
 * over IPC, reporting log lines and then its answer; all of them ended at once when the worker
 * stops.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, RunOrder } from './child-messages.js';

const here = fileURLToPath(import.meta.url);
const CHILD = path.join(path.dirname(here), `run-child${path.extname(here)}`);
/** From a checkout the child is TypeScript too: it runs through the same loader (tsx) as this file. */
const CHILD_EXEC_ARGV = here.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];

export interface RunProcessEnd {
  /** The run's outcome, or why it could not start; none when the process died first. */
  answer?: Exclude<ChildMessage, { kind: 'line' }>;
  /** How the process ended: "code N" or "signal NAME" (or why it could not start). */
  how: string;
}

export class RunProcesses {
  private readonly running = new Set<ChildProcess>();

  get size(): number {
    return this.running.size;
  }

  /** Trains `order` in a new process with `threads` threads; resolves when that process has ended. */
  async run(order: RunOrder, onLine: (text: string) => void): Promise<RunProcessEnd> {
    const child = fork(CHILD, [], {
      execArgv: CHILD_EXEC_ARGV,
      env: { ...process.env, ARCHBUNDLE_THREADS: String(order.threads) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.running.add(child);
    let answer: RunProcessEnd['answer'];
    const how = new Promise<string>((resolve) => {
      child.on('message', (message: ChildMessage) => {
        if (message.kind === 'line') onLine(message.text);
        else answer = message;
      });
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
      child.once('error', (error) => resolve(error.message));
    });
    child.send(order);
    try {
      return { how: await how, ...(answer ? { answer } : {}) };
    } finally {
      this.running.delete(child);
    }
  }

  /** SIGTERM to every run process (they have no handler for it: they end at once). */
  stopAll(): void {
    for (const child of this.running) child.kill('SIGTERM');
  }
}
