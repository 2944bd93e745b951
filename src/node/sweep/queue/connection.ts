/**
 * Connections to Redis for the sweep queue, all of them ioredis clients (the driver BullMQ is
 * built and tested on). Three kinds, because they must behave differently when Redis is away:
 *
 * - `probeRedis`: the first contact, before any BullMQ object exists. No retries and no offline
 *   queue, so an address that never answers is refused in one line within seconds, instead of
 *   hanging in ioredis' reconnect loop. It also serves the few plain commands we send (queue owner).
 * - `workerConnection`: a Worker's. Reconnects forever and keeps commands until Redis is back
 *   (`maxRetriesPerRequest: null`, which BullMQ requires for its blocking commands), so an idle
 *   worker outlives a Redis restart.
 * - `queueConnection`: a Queue's (enqueueing, following, the worker's idle check). Reconnects
 *   too, but a command fails at once while Redis is away (`enableOfflineQueue: false`) or when the
 *   connection drops under it (`maxRetriesPerRequest: 1`), so `sweep --queue` can say so and poll again.
 *
 * ioredis prints an "Unhandled error event" with a stack for a client without an error listener;
 * every client here has one (BullMQ adds its own and re-emits on the Queue/Worker, where ours log).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { EnvironmentError } from '../../../core/errors.js';
import { formatRedisUrl, type RedisAddress } from './redis-url.js';

/** Key prefix of every BullMQ key archbundle writes, so a shared Redis shows whose keys they are. */
export const KEY_PREFIX = 'archbundle';

/** How long a connection attempt may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

/** Where the server is and who we are: the options every connection shares. */
function serverOptions(address: RedisAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    ...(address.username !== undefined ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    // rediss://: Node's TLS defaults (certificate and host name checked; NODE_EXTRA_CA_CERTS adds a CA)
    ...(address.tls ? { tls: {} } : {}),
    connectTimeout: CONNECT_TIMEOUT_MS,
    // a peer that vanishes without closing (machine down, network cut) is noticed
    keepAlive: 10_000,
  };
}

/** Connects once, checks that a Redis server answers, and returns the open client (`disconnect()` it). */
export async function probeRedis(address: RedisAddress): Promise<Redis> {
  let lastError: Error | undefined;
  const client = new Redis({
    ...serverOptions(address),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // the socket's error (ECONNREFUSED, a timeout) says more than connect()'s "Connection is closed."
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
    const pong = await client.ping();
    if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(pong)}, expected "PONG"`);
    return client;
  } catch (error) {
    client.disconnect();
    const { queue: _queue, ...server } = address;
    const reason = lastError ?? (error as Error);
    throw new EnvironmentError('E_QUEUE', `cannot reach Redis at ${formatRedisUrl(server)}: ${reason.message || String(reason)}`, [], { cause: reason });
  }
}

/**
 * A Worker's connection (BullMQ duplicates it for its blocking commands). BullMQ never closes a
 * connection it was handed: `disconnect()` it after closing the Worker.
 */
export function workerConnection(address: RedisAddress): Redis {
  const client = new Redis({ ...serverOptions(address), maxRetriesPerRequest: null });
  client.on('error', () => undefined); // BullMQ re-emits it on the Worker, whose listener logs it
  return client;
}

/** A Queue's connection: reconnects, but commands fail fast while Redis is away. `disconnect()` it after the Queue. */
export function queueConnection(address: RedisAddress): Redis {
  const client = new Redis({ ...serverOptions(address), maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on('error', () => undefined); // BullMQ re-emits it on the Queue, whose listener hears it
  return client;
}
