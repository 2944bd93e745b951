/**
 * The `archbundle` command line: dispatches to a sub-command, and is the only place that turns
 * errors into text and exit codes (0 ok, 1 invalid or failed, 2 usage).
 */
import '../files/node-sha256.js';
// The wasm backend may run its threaded build (threads: --threads, ARCHBUNDLE_THREADS, config, all cores).
import '../backend/wasm-threads.js';
import { COMMANDS } from './command.js';
import { processIo, type Io } from './io.js';
import { EXIT, formatError, UsageError } from './usage.js';

const VERSION_TEXT = 'archbundle';

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: archbundle <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command: --help, --verbose (stack traces on errors).',
    'Run `archbundle <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const verbose = argv.includes('--verbose');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.out(`${VERSION_TEXT} ${await packageVersion()}\n`);
    return EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.err(formatError(new UsageError(`unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}`, ''), false, ''));
    return EXIT.usage;
  }
  try {
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    io.err(formatError(error, verbose, name));
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../../package.json', import.meta.url), 'utf8').catch(() =>
    readFile(new URL('../../../package.json', import.meta.url), 'utf8'),
  );
  return (JSON.parse(text) as { version: string }).version;
}
