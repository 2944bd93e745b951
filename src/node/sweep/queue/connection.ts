/**
 * Connections to Redis for the sweep queue. `probeRedis` runs before any BullMQ object exists:
 * BullMQ's adapter retries a lost connection forever (right for a worker whose Redis restarts),
 * so an address that never answered must be refused here, in one line, within seconds.
 */
import { createBunRedisClient, type IRedisClient } from 'bullmq';
import { EnvironmentError } from '../../../core/errors.js';
import { RedisSocketClient } from './redis-client.js';
import { formatRedisUrl, type RedisAddress } from './redis-url.js';

/** Key prefix of every BullMQ key archbundle writes, so a shared Redis shows whose keys they are. */
export const KEY_PREFIX = 'archbundle';

/** Connects, checks that a Redis server answers, and returns the open client (close it when done). */
export async function probeRedis(address: RedisAddress): Promise<RedisSocketClient> {
  const client = new RedisSocketClient(address);
  const { queue: _queue, ...server } = address;
  const where = formatRedisUrl(server);
  try {
    await client.connect();
    const pong = await client.send('PING', []);
    if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}, expected "PONG"`);
    return client;
  } catch (error) {
    client.close();
    throw new EnvironmentError('E_QUEUE', `cannot reach Redis at ${where}: ${(error as Error).message || String(error)}`, [], { cause: error });
  }
}

/**
 * A fresh connection for one BullMQ Queue or Worker: our socket client inside BullMQ's adapter
 * for clients of that shape, which connects at once, reconnects and duplicates it as BullMQ needs.
 * BullMQ never closes a connection it was handed: `disconnect()` it after closing the Queue or Worker.
 */
export function bullConnection(address: RedisAddress): IRedisClient {
  return createBunRedisClient(new RedisSocketClient(address));
}
