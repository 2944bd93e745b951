/**
 * The local HTTP server of `archbundle view`: the built app, the session (which bundles and runs
 * it was given), each listed bundle's bytes, and test examples of a dataset. It binds 127.0.0.1
 * only and answers only requests addressed to 127.0.0.1:PORT or localhost:PORT, so a web page
 * elsewhere cannot reach it through DNS rebinding. Bundles are listed and streamed, never read.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { FileDatasetName } from '../../core/config.js';
import { EnvironmentError } from '../../core/errors.js';
import type { ViewerSession } from '../../core/viewer-protocol.js';
import { packageRoot } from './app-files.js';
import { sendBundle } from './bundle-bytes.js';
import { discover, type Discovery, type ListedBundle } from './discover.js';
import { HttpError } from './http-error.js';
import { sendError, sendJson } from './respond.js';
import { SampleStore } from './samples.js';
import { chooseSessionDataset, type SessionDataset } from './session-dataset.js';
import { resolveAppFile, sendAppFile } from './static-files.js';

export const HOST = '127.0.0.1';
/** The default port: fixed, so a bookmarked URL keeps working; any free one with --port 0. */
export const DEFAULT_PORT = 8470;

export interface ViewerServerOptions {
  /** Bundle files and folders as given (none: `cwd`). */
  inputs: string[];
  cwd: string;
  /** 0 picks a free port. */
  port: number;
  /** The built app's folder (see app-files.ts). */
  appDir: string;
  /** --data: the dataset whose test split is served. */
  data?: FileDatasetName;
  /** --data-dir: searched first for dataset files. */
  dataDir?: string | null;
  log?: (line: string) => void;
}

export interface ViewerServer {
  url: string;
  port: number;
  /** The session as first discovered (for the start-up lines). */
  discovery: Discovery;
  dataset: SessionDataset;
  /** Stops listening and ends every open connection. */
  close(): Promise<void>;
}

export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  const log = options.log ?? (() => undefined);
  const discovery = await discover(options.inputs, options.cwd);
  for (const note of discovery.notes) log(`note: ${note}`);
  const store = new SampleStore(options.dataDir ?? null);
  const dataset = await chooseSessionDataset(options.data, discovery.bundles, store);
  const version = archbundleVersion();
  let port = options.port;
  const listed = new Map<string, ListedBundle>(discovery.bundles.map((b) => [b.id, b]));

  /** Looked at again for each session request, so a reload shows the epochs written since. */
  const session = async (): Promise<ViewerSession> => {
    const now = await discover(options.inputs, options.cwd);
    for (const bundle of now.bundles) listed.set(bundle.id, bundle);
    return {
      archbundleVersion: version,
      bundles: now.bundles.map(({ file: _file, ...bundle }) => bundle),
      runs: now.runs,
      samples: dataset.samples,
    };
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, head: boolean): Promise<void> => {
    checkHost(req.headers.host, port);
    const raw = req.url ?? '/';
    if (!raw.startsWith('/')) throw new HttpError(400, 'E_BAD_REQUEST', `expected a path starting with "/", received ${JSON.stringify(raw)}`);
    const queryAt = raw.indexOf('?');
    const pathname = queryAt < 0 ? raw : raw.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : raw.slice(queryAt + 1));
    if (pathname === '/api/session') return sendJson(res, 200, await session(), head);
    if (pathname.startsWith('/api/bundles/')) {
      const id = pathname.slice('/api/bundles/'.length);
      let bundle = listed.get(id);
      if (!bundle) {
        await session(); // a bundle written since the page loaded
        bundle = listed.get(id);
      }
      if (!bundle) throw new HttpError(404, 'E_NOT_FOUND', `no bundle with id ${JSON.stringify(id)} in this session (GET /api/session lists them)`);
      return sendBundle(req, res, bundle, head);
    }
    if (pathname === '/api/samples') return sendJson(res, 200, await store.respond(query, dataset.dataset), head);
    if (pathname === '/api' || pathname.startsWith('/api/')) throw new HttpError(404, 'E_NOT_FOUND', `no API route ${pathname}: expected /api/session, /api/bundles/<id> or /api/samples`);
    return sendAppFile(res, await resolveAppFile(options.appDir, pathname), head);
  };

  const server = createServer((req, res) => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      sendError(res, new HttpError(405, 'E_METHOD', `expected GET or HEAD, received ${req.method ?? '(none)'}`, { Allow: 'GET, HEAD' }));
      return;
    }
    routes(req, res, head).catch((error: unknown) => sendError(res, error, head));
  });
  port = await listen(server, options.port);
  return {
    url: `http://${HOST}:${port}/`,
    port,
    discovery,
    dataset,
    close: () => closeServer(server),
  };
}

/**
 * DNS rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1 sends
 * `Host: evil.example`. Only the names this server is really reached by are answered.
 */
function checkHost(host: string | undefined, port: number): void {
  const allowed = [`${HOST}:${port}`, `localhost:${port}`];
  if (host === undefined || !allowed.includes(host.toLowerCase())) {
    throw new HttpError(403, 'E_FORBIDDEN', `refused Host header ${JSON.stringify(host ?? null)}: expected ${allowed.join(' or ')}`);
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(new EnvironmentError('E_IO', `port ${port} on ${HOST} is in use (another archbundle view?): pass --port N for another one, or --port 0 for any free port`));
      } else {
        reject(new EnvironmentError('E_IO', `cannot listen on ${HOST}:${port}: ${error.message}`, [], { cause: error }));
      }
    });
    server.listen(port, HOST, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Browsers keep connections alive; without this close() would wait for them.
    server.closeAllConnections();
  });
}

function archbundleVersion(): string {
  const text = readFileSync(path.join(packageRoot(), 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
