/**
 * GET /api/bundles/<id>: a listed bundle's bytes, streamed from disk as they are (the browser
 * checks them; the server never reads them). One byte range (`Range: bytes=a-b`, `a-`, `-n`) is
 * honoured so a large bundle can be fetched in pieces; anything else gets the whole file.
 */
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvironmentError } from '../../core/errors.js';
import type { ListedBundle } from './discover.js';
import { HttpError } from './http-error.js';
import { API_HEADERS } from './respond.js';
import { pipeFile } from './static-files.js';

export async function sendBundle(req: IncomingMessage, res: ServerResponse, bundle: ListedBundle, head: boolean): Promise<void> {
  // The size now, not the listing's: a bundle rewritten since (best.archbundle) is served whole.
  const info = await stat(bundle.file).catch((error: Error) => {
    throw new EnvironmentError('E_IO', `cannot read bundle ${bundle.path}: ${error.message}`, [], { cause: error });
  });
  const size = info.size;
  const range = parseRange(req.headers.range, size);
  const headers = {
    ...API_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `inline; filename="${bundle.name.replace(/[^\w.-]/g, '_')}"`,
    'Accept-Ranges': 'bytes',
  };
  if (range) {
    res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
  } else {
    res.writeHead(200, { ...headers, 'Content-Length': size });
  }
  if (head) {
    res.end();
    return;
  }
  await pipeFile(res, bundle.file, range?.start ?? 0, range?.end ?? size - 1);
}

/** One satisfiable range, or null for none (or a form not supported: the whole file is sent). 416 when it lies past the end. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (header === undefined) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
    if (suffix === 0) throw unsatisfiable(header, size);
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (end < start && match[2] !== '') return null; // invalid per RFC 9110: ignored
  }
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): HttpError {
  return new HttpError(416, 'E_RANGE', `range "${header}" lies outside the bundle's ${size} bytes`, { 'Content-Range': `bytes */${size}` });
}
