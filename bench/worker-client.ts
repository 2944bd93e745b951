/**
 * Drives a bench worker (a child process answering one JSON line per command on stdin), so that
 * our side runs at its own thread count (ARCHBUNDLE_THREADS) and keeps its warm state between the
 * rounds it alternates with a peer. A worker that dies fails the bench with its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export class BenchWorker {
  private readonly answers: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcess, private readonly name: string) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) {
        process.stderr.write(`${name}: ${line}\n`); // a library's log line, not an answer
        return;
      }
      this.answers.push(line);
      this.wake();
    });
    // 'close', not 'exit': it comes after the last stdout line has been read
    child.on('close', (code, signal) => {
      this.exited = `${name} exited (${signal ?? `code ${code}`})`;
      this.wake();
    });
  }

  /** Starts `bench/<script>` with ARCHBUNDLE_THREADS=threads; resolves to its first JSON line. */
  static async start<T>(script: string, args: string[], threads: number): Promise<{ worker: BenchWorker; first: T }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', script), ...args], {
      cwd: root,
      env: { ...process.env, ARCHBUNDLE_THREADS: String(threads) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const worker = new BenchWorker(child, `${script} (${threads} thread${threads === 1 ? '' : 's'})`);
    return { worker, first: await worker.next<T>() };
  }

  /** Sends one command and resolves to the worker's JSON answer. */
  async ask<T>(command: string): Promise<T> {
    this.child.stdin!.write(`${command}\n`);
    return this.next<T>();
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((done) => this.child.once('close', done));
    this.child.stdin!.end('quit\n');
    await gone;
  }

  private async next<T>(): Promise<T> {
    while (this.answers.length === 0) {
      if (this.exited) throw new Error(`${this.exited} before answering; its stderr is above`);
      await new Promise<string | undefined>((done) => (this.waiting = done));
    }
    return JSON.parse(this.answers.shift()!) as T;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(undefined);
  }
}

/** Runs `bench/<script>` once with ARCHBUNDLE_THREADS=threads and resolves to the JSON on its last line. */
export async function runWorkerOnce<T>(script: string, args: string[], threads: number): Promise<T> {
  const { worker, first } = await BenchWorker.start<T>(script, args, threads);
  await worker.close();
  return first;
}
