/** A BullMQ Queue on its own connection, with the one close that releases both. */
import { Queue } from 'bullmq';
import { KEY_PREFIX, queueConnection } from './connection.js';
import type { RedisAddress } from './redis-url.js';

export interface OpenQueue {
  queue: Queue;
  close(): Promise<void>;
}

/**
 * `onError` hears of connection trouble (Redis restarting: ioredis reconnects by itself);
 * without a listener BullMQ would print the error's stack. Commands that fail still reject, at
 * once while Redis is away (see queueConnection).
 */
export function openQueue(address: RedisAddress, name: string, onError: (error: Error) => void = () => undefined): OpenQueue {
  const connection = queueConnection(address);
  const queue = new Queue(name, { connection, prefix: KEY_PREFIX });
  queue.on('error', onError);
  return {
    queue,
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
