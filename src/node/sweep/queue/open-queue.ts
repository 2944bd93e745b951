/** A BullMQ Queue on its own connection, with the one close that releases both. */
import { Queue } from 'bullmq';
import { bullConnection, KEY_PREFIX } from './connection.js';
import type { RedisAddress } from './redis-url.js';

export interface OpenQueue {
  queue: Queue;
  close(): Promise<void>;
}

export function openQueue(address: RedisAddress, name: string): OpenQueue {
  const connection = bullConnection(address);
  const queue = new Queue(name, { connection, prefix: KEY_PREFIX });
  return {
    queue,
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
