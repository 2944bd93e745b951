/**
 * `--queue redis[s]://[user:password@]HOST[:PORT][/NAME]`: where Redis is, and optionally the
 * queue's name. Without a name, `sweep` names the queue after the sweep id; a worker needs the
 * name, which `sweep --queue` prints. `rediss://` is Redis over TLS (the server's certificate is
 * checked against Node's CAs, plus NODE_EXTRA_CA_CERTS).
 */
export interface RedisAddress {
  host: string;
  port: number;
  /** TLS (`rediss://`). */
  tls?: boolean;
  username?: string;
  password?: string;
  /** The queue's name from the URL's path, when given. */
  queue?: string;
}

const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Parses the URL or returns what is wrong with it (a usage problem for the CLI). */
export function parseRedisUrl(text: string): RedisAddress | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--queue expects redis://HOST:PORT[/NAME], received "${text}"`;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `--queue expects a redis:// (or rediss://) URL, received "${url.protocol}" in "${text}"`;
  }
  if (!url.hostname) return `--queue expects a host in "${text}"`;
  if (url.search || url.hash) return `--queue takes no query or fragment, received "${text}"`;
  const port = url.port ? Number(url.port) : 6379;
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (name && !QUEUE_NAME.test(name)) {
    return `--queue's queue name must be letters, digits, ".", "_" or "-" (at most 100), received "${name}"`;
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    ...(url.protocol === 'rediss:' ? { tls: true } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(name ? { queue: name } : {}),
  };
}

/** The URL again, for messages and for the worker command `sweep` prints (the password left out). */
export function formatRedisUrl(address: RedisAddress, queue = address.queue): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const user = address.username ? `${encodeURIComponent(address.username)}${address.password !== undefined ? ':***' : ''}@` : address.password !== undefined ? ':***@' : '';
  return `${address.tls ? 'rediss' : 'redis'}://${user}${host}:${address.port}${queue ? `/${queue}` : ''}`;
}
