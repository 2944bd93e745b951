/**
 * A queue belongs to one sweep: its id is kept in `<prefix>:<queue>:sweep` beside BullMQ's keys.
 * Another sweep may take the queue over only once it holds no run queued or running; until then
 * the new sweep is refused (E_QUEUE), so two sweeps never feed the same workers by accident.
 */
import type { Queue } from 'bullmq';
import { EnvironmentError } from '../../../core/errors.js';
import { KEY_PREFIX } from './connection.js';
import type { Redis } from 'ioredis';
import { formatRedisUrl, type RedisAddress } from './redis-url.js';

export function ownerKey(queueName: string): string {
  return `${KEY_PREFIX}:${queueName}:sweep`;
}

/** Job states in which a run still waits for or occupies a worker. */
export const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

export async function claimQueue(client: Redis, address: RedisAddress, queue: Queue, sweepId: string): Promise<void> {
  const key = ownerKey(queue.name);
  const owner = await client.get(key);
  if (owner !== null && owner !== sweepId) {
    const counts = await queue.getJobCounts(...PENDING_STATES);
    const pending = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (pending > 0) {
      const where = formatRedisUrl(address, queue.name);
      throw new EnvironmentError(
        'E_QUEUE',
        `queue ${where} belongs to sweep ${owner}, which still has ${pending} run${pending === 1 ? '' : 's'} queued or running; ` +
          `this sweep's id is ${sweepId}: name another queue (redis://HOST:PORT/NAME) or let that sweep finish`,
      );
    }
    // the other sweep is over: its finished jobs go, so counts and job ids are this sweep's alone
    await queue.obliterate({ force: true });
  }
  await client.set(key, sweepId);
}

/** The sweep that owns the queue, or null when no sweep has claimed it yet. */
export function queueOwner(client: Redis, queueName: string): Promise<string | null> {
  return client.get(ownerKey(queueName));
}
