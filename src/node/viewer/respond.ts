/** Writing the server's responses: JSON with the API's headers, and every error as an ErrorResponse. */
import type { ServerResponse } from 'node:http';
import { ArchbundleError } from '../../core/errors.js';
import type { ErrorResponse } from '../../core/viewer-protocol.js';
import { HttpError } from './http-error.js';

/** Headers on every response: no sniffing a bundle into HTML, no referrer leaving the machine. */
export const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** The API's answers describe files that change while a run trains: never cached. */
export const API_HEADERS = { ...COMMON_HEADERS, 'Cache-Control': 'no-store' } as const;

export function sendJson(res: ServerResponse, status: number, value: unknown, head = false): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...API_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.byteLength });
  res.end(head ? undefined : body);
}

/** Any error as an ErrorResponse: HTTP errors with their status, archbundle's coded errors as 4xx/5xx by code. */
export function sendError(res: ServerResponse, error: unknown, head = false): void {
  const { status, body } = errorResponse(error);
  if (res.headersSent) {
    res.destroy(); // a stream failed half-way: cutting the connection is the only honest signal left
    return;
  }
  if (error instanceof HttpError) for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, status, body, head);
}

export function errorResponse(error: unknown): { status: number; body: ErrorResponse } {
  if (error instanceof HttpError) return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  if (error instanceof ArchbundleError) {
    const status = error.code === 'E_DATA_NOT_FOUND' ? 404 : 500;
    return { status, body: { error: { code: error.code, message: error.message } } };
  }
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: (error as Error)?.message ?? String(error) } } };
}
