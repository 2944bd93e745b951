/**
 * A private Redis for a test file: Debian's redis-server on a free port, in a temp folder,
 * without persistence; stopped after the file. Missing redis-server is a failure, never a skip
 * (.ci/run installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after } from 'node:test';
import { tempDir } from './tempdir.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A TCP port that was free a moment ago (nothing listens on it once this returns). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
}

export interface RedisOptions {
  /** Listen here (a restart of an earlier server: the same port, and `dir` for its data). */
  port?: number;
  dir?: string;
  /** Keep the data in an append-only file in `dir`, so a restart finds it again. */
  appendonly?: boolean;
  /** Serve TLS only (rediss://), with this certificate and key (PEM files); clients show no certificate. */
  tls?: { cert: string; key: string };
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer & { dir: string }> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: install Debian's redis-server (.ci/run does)`);
  const dir = options.dir ?? tempDir('archbundle-redis-');
  const port = options.port ?? (await freePort());
  const listen = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const args = [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no'];
  const child = spawn(REDIS_SERVER, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => {
    child.kill('SIGKILL');
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${log}`)), 10_000);
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { port, url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`, process: child, dir };
}
