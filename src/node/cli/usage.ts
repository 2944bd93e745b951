import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ArchbundleError } from '../../core/errors.js';

/** Exit codes: 0 ok, 1 invalid input or failure, 2 usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A command line that cannot be understood; exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const satisfies Options;

export interface ParsedCommandLine {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** node:util parseArgs, strict, with its errors turned into one-line UsageErrors. */
export function parseCommandLine(command: string, argv: string[], options: Options): ParsedCommandLine {
  try {
    const parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedCommandLine['values'], positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message, command);
  }
}

/** Text for one error, one line unless verbose (then the stack and causes follow). */
export function formatError(error: unknown, verbose: boolean, command: string): string {
  const prefix = command ? `archbundle ${command}: ` : 'archbundle: ';
  let line: string;
  if (error instanceof UsageError) line = `${prefix}${error.message} (see archbundle ${error.command} --help)`.replace('archbundle  ', 'archbundle ');
  else if (error instanceof ArchbundleError) line = `${prefix}${error.code}: ${error.message}`;
  else line = `${prefix}unexpected error: ${(error as Error)?.message ?? String(error)}`;
  line = line.replace(/\s*\n\s*/g, ' ');
  if (!verbose) return `${line}\n`;
  const details: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    if (current.stack) details.push(current.stack);
    current = current.cause;
  }
  return `${line}\n${details.join('\ncaused by: ')}\n`;
}
