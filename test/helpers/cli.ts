import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'archbundle.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs bin/archbundle.js in a child process, as a user would, on TF.js's cpu backend and engine
 * (ARCHBUNDLE_ENGINE=tfjs): the CLI tests compare its logits with the model's own TF.js forward
 * bit for bit. The onnxruntime engine is tested against TF.js in test/onnx-engine.test.ts.
 */
export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu', ARCHBUNDLE_ENGINE: 'tfjs', ...options.env }, maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A CLI process left running (a worker, a following sweep): its combined output so far and its exit code. */
export interface RunningCli {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `archbundle ARGS` in the background; the caller kills it (SIGKILL) when the test is done. */
export function spawnCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}
