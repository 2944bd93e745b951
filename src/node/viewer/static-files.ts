/**
 * The built app's files (dist/viewer/), and only those: a request path is decoded and checked
 * segment by segment before it touches the file system, so no `..`, encoded slash or backslash,
 * NUL or hidden file can reach outside the folder; folders are never listed.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { HttpError } from './http-error.js';
import { COMMON_HEADERS } from './respond.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  // TF.js's wasm backend compiles with instantiateStreaming, which insists on this type.
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file inside `root` that the raw request path `pathname` names ("/" is index.html).
 * 400 E_BAD_REQUEST for a path that tries to leave the folder; 404 for anything not a file there.
 */
export async function resolveAppFile(root: string, pathname: string): Promise<string> {
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const segments = relative.split('/').map((segment) => decodeSegment(segment, pathname));
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' || /[\\/\0:]/.test(segment)) {
      throw new HttpError(400, 'E_BAD_REQUEST', `refused path ${JSON.stringify(pathname)}: expected a file of the viewer app, received a path that leaves or escapes its folder`);
    }
    if (segment.startsWith('.')) throw notFound(pathname);
  }
  const file = path.join(root, ...segments);
  // Belt and braces: whatever the checks above missed, nothing outside root is served.
  if (!file.startsWith(root + path.sep)) throw notFound(pathname);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw notFound(pathname);
  return file;
}

export async function sendAppFile(res: ServerResponse, file: string, head: boolean): Promise<void> {
  const info = await stat(file);
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    // Revalidated each time: a rebuilt app must never be mixed with a cached old one.
    'Cache-Control': 'no-cache',
  });
  if (head) {
    res.end();
    return;
  }
  await pipeFile(res, file, 0, info.size - 1);
}

/** Streams bytes start..end (inclusive) of `file`; fails the promise if the read fails. */
export function pipeFile(res: ServerResponse, file: string, start: number, end: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (end < start) {
      res.end();
      resolve();
      return;
    }
    const stream = createReadStream(file, { start, end, highWaterMark: 1 << 20 });
    stream.once('error', reject);
    res.once('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}

function decodeSegment(segment: string, pathname: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'E_BAD_REQUEST', `refused path ${JSON.stringify(pathname)}: expected valid percent-encoding`);
  }
}

function notFound(pathname: string): HttpError {
  return new HttpError(404, 'E_NOT_FOUND', `no such file in the viewer app: ${pathname}`);
}
