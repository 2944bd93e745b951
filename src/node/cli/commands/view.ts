import path from 'node:path';
import { FILE_DATASET_NAMES, type FileDatasetName } from '../../../core/config.js';
import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';
import { appFolder } from '../../viewer/app-files.js';
import { openBrowser } from '../../viewer/open-browser.js';
import { DEFAULT_PORT, HOST, startViewerServer } from '../../viewer/server.js';

const help = `Usage: archbundle view [BUNDLE... | FOLDER...] [--port N] [--open] [--data NAME]

Open bundles in the browser: a local server (${HOST} only) serving the viewer app, with pages for
a bundle's overview, training curves, weights, in-browser evaluation and a comparison of
bundles. A FOLDER shows its *.archbundle files and those of its sub-folders (one level), and
each folder's metrics.jsonl as a run; no argument shows the current folder. The browser reads
and checks every bundle itself; the server only lists and serves the files. Serves until
interrupted (Ctrl+C).

Options:
  --port N         the port (default ${DEFAULT_PORT}; 0 picks a free one)
  --open           open the viewer in the system browser
  --data NAME      serve this dataset's test split to the evaluate page: ${FILE_DATASET_NAMES.join(', ')}
                   (default: the dataset the first bundle's input contract names)
  --data-dir DIR   look for the dataset files here first
  --host ADDRESS   ${HOST} or localhost only: the viewer is never exposed to the network
                   (from another machine, tunnel: ssh -L ${DEFAULT_PORT}:${HOST}:${DEFAULT_PORT} HOST)
  --verbose        stack traces on errors
  -h, --help       this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('view', argv, {
    port: { type: 'string' },
    open: { type: 'boolean' },
    data: { type: 'string' },
    'data-dir': { type: 'string' },
    host: { type: 'string' },
  });
  const port = portOption(values.port);
  const data = values.data as string | undefined;
  if (data !== undefined && !(FILE_DATASET_NAMES as readonly string[]).includes(data)) {
    throw new UsageError(`--data must be one of ${FILE_DATASET_NAMES.join(', ')}, received "${data}"`, 'view');
  }
  const host = values.host as string | undefined;
  if (host !== undefined && host !== HOST && host !== 'localhost') {
    throw new UsageError(`--host must be ${HOST} or localhost (the viewer serves this machine only), received "${host}"; from another machine use an SSH tunnel`, 'view');
  }
  const log = (line: string) => io.out(`${line}\n`);
  const appDir = await appFolder({ env: io.env, log });
  const server = await startViewerServer({
    inputs: positionals,
    cwd: io.cwd,
    port,
    appDir,
    data: data as FileDatasetName | undefined,
    dataDir: values['data-dir'] === undefined ? null : path.resolve(io.cwd, values['data-dir'] as string),
    log: (line) => log(`viewer: ${line}`),
  });
  const { bundles, runs } = server.discovery;
  io.out(`viewer: ${server.url}\n`);
  io.out(`viewer: ${bundles.length} bundle${bundles.length === 1 ? '' : 's'}, ${runs.length} run${runs.length === 1 ? '' : 's'}${bundles.length === 0 ? ' (drop bundle files on the page to open them)' : ''}\n`);
  io.out(`viewer: ${server.dataset.line}\n`);
  if (values.open) {
    const failure = await openBrowser(server.url, io.env);
    io.out(failure ? `viewer: could not open a browser (${failure}); open ${server.url} yourself\n` : `viewer: opened ${server.url} in the browser\n`);
  }
  io.out('viewer: serving until interrupted (Ctrl+C)\n');
  const signal = await interrupted();
  await server.close();
  io.out(`viewer: stopped (${signal})\n`);
  return EXIT.ok;
}

function portOption(value: unknown): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(String(value)) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, received "${String(value)}"`, 'view');
  return port;
}

/** Resolves with the first SIGINT or SIGTERM; the server is then closed and the command exits 0. */
function interrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

const command: Command = { name: 'view', summary: 'open bundles and runs in the browser (a local viewer server)', help, run };
export default command;
