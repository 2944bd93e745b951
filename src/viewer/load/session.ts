/**
 * The local server's API (`archbundle view`): the session, then each bundle's bytes. Relative
 * URLs, so the viewer works under any path the server gives it.
 */
import type { ErrorResponse, SessionBundle, ViewerSession } from '../../core/viewer-protocol.js';

/** The session, or null when no archbundle server is behind the page (a file:// page, a static host). */
export async function fetchSession(): Promise<ViewerSession | null> {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
  try {
    const response = await fetch(new URL('api/session', location.href), { headers: { accept: 'application/json' } });
    if (!response.ok || !response.headers.get('content-type')?.includes('json')) return null;
    return (await response.json()) as ViewerSession;
  } catch {
    return null;
  }
}

export async function fetchBundle(bundle: SessionBundle): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(new URL(`api/bundles/${encodeURIComponent(bundle.id)}`, location.href));
  } catch (error) {
    throw Object.assign(new Error(`cannot fetch ${bundle.name}: ${(error as Error).message}`), { code: 'E_IO' });
  }
  if (!response.ok) throw await serverError(response, bundle.name);
  return response.blob();
}

/** The server's coded error body, or E_IO with the HTTP status when it has none. */
async function serverError(response: Response, name: string): Promise<Error> {
  try {
    const body = (await response.json()) as ErrorResponse;
    if (body?.error?.code) return Object.assign(new Error(body.error.message), { code: body.error.code });
  } catch {
    // not the server's JSON: fall through
  }
  return Object.assign(new Error(`cannot fetch ${name}: HTTP ${response.status} ${response.statusText}`), { code: 'E_IO' });
}
