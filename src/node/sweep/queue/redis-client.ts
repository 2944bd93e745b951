/**
 * A small Redis client over node:net for BullMQ. BullMQ 6 talks to Redis through an adapter
 * around a driver it does not ship (ioredis, node-redis, or Bun's built-in client); none is a
 * dependency here, so this class has the shape of Bun's raw client (`send`, `connected`,
 * `onconnect`/`onclose`, `duplicate`) and BullMQ wraps it in its own Bun adapter, which maps
 * every command it needs onto `send`. It never reconnects by itself (the adapter does), and a
 * refused or timed-out connection rejects `connect()` at once instead of retrying.
 */
import net from 'node:net';
import { encodeCommand, ReplyParser, type Reply } from './resp.js';
import type { RedisAddress } from './redis-url.js';

interface Pending {
  resolve(value: Reply): void;
  reject(error: Error): void;
}

/** How long a connection attempt may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

export class RedisSocketClient {
  connected = false;
  onconnect: (() => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  onerror: ((error: Error) => void) | null = null;

  private socket: net.Socket | null = null;
  private readonly pending: Pending[] = [];
  private parser = new ReplyParser();

  constructor(readonly address: RedisAddress) {}

  /** Connects (and authenticates when the URL has credentials); rejects on refusal or timeout. */
  connect(): Promise<void> {
    if (this.socket) return Promise.reject(new Error('Connection closed: this client was already used; duplicate() it'));
    const { host, port } = this.address;
    return new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host, port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setTimeout(CONNECT_TIMEOUT_MS);
      let opened = false;
      socket.once('timeout', () => socket.destroy(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)));
      socket.on('data', (chunk) => this.receive(chunk));
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.setKeepAlive(true, 10_000);
        opened = true;
        this.connected = true;
        this.authenticate().then(
          () => {
            resolve();
            this.onconnect?.();
          },
          (error: Error) => {
            reject(error);
            socket.destroy();
          },
        );
      });
      socket.once('error', (error) => {
        if (!opened) reject(error);
        else this.onerror?.(error);
      });
      socket.once('close', () => {
        this.connected = false;
        const failure = new Error('Connection closed');
        for (const waiting of this.pending.splice(0)) waiting.reject(failure);
        if (opened) this.onclose?.(failure);
      });
    });
  }

  /** Sends one command; resolves with its reply, rejects with an error reply or a closed connection. */
  send<T = Reply>(command: string, args: readonly (string | Buffer)[]): Promise<T> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new Error('Connection is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (value: Reply) => void, reject });
      socket.write(encodeCommand(command, args));
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  /** A new, unconnected client for the same server (BullMQ's blocking connections). */
  async duplicate(): Promise<this> {
    return new RedisSocketClient(this.address) as this;
  }

  get(key: string): Promise<string | null> {
    return this.send('GET', [key]);
  }

  smembers(key: string): Promise<string[]> {
    return this.send('SMEMBERS', [key]);
  }

  incr(key: string): Promise<number> {
    return this.send('INCR', [key]);
  }

  private async authenticate(): Promise<void> {
    const { username, password } = this.address;
    if (password !== undefined) await this.send('AUTH', username ? [username, password] : [password]);
  }

  private receive(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.socket?.destroy(error as Error);
      return;
    }
    for (const reply of replies) {
      const waiting = this.pending.shift();
      if (!waiting) continue;
      if (reply instanceof Error) waiting.reject(reply);
      else waiting.resolve(reply);
    }
  }
}
