import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../config/load.js';
import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle codegen [--check] [--config FILE]
       archbundle codegen --schema FILE [--out FILE]

Generate TypeScript argument types (args.generated.ts, DO NOT EDIT) for the user architectures
that the config file lists, each beside its module; or for one JSON Schema file.

Options:
  --check         write nothing; exit 1 and list the files that are stale
  --config FILE   the config file (default: found from the current folder)
  --schema FILE   one schema; its types go to --out, or to standard output
  --verbose       stack traces on errors
  -h, --help      this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandLine('codegen', argv, {
    check: { type: 'boolean' },
    config: { type: 'string' },
    schema: { type: 'string' },
    out: { type: 'string' },
  });
  const { argsTypeSource, userArchitectureTypes } = await import('../../codegen.js');
  if (values.schema) {
    if (values.check || values.config) throw new UsageError('--schema goes with --out only', 'codegen');
    const source = await argsTypeSource(path.resolve(io.cwd, values.schema as string));
    if (values.out) await writeFile(path.resolve(io.cwd, values.out as string), source);
    else io.out(source);
    return EXIT.ok;
  }
  if (values.out) throw new UsageError('--out goes with --schema', 'codegen');
  const { config } = await loadConfig({ file: values.config as string | undefined, cwd: io.cwd });
  const stale: string[] = [];
  for (const [file, content] of await userArchitectureTypes(config.architectures)) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === content) continue;
    stale.push(path.relative(io.cwd, file));
    if (!values.check) await writeFile(file, content);
  }
  if (values.check) {
    if (stale.length === 0) io.out('generated types are up to date\n');
    else io.err(`archbundle codegen: stale generated files (run archbundle codegen): ${stale.join(', ')}\n`);
    return stale.length === 0 ? EXIT.ok : EXIT.failed;
  }
  io.out(stale.length === 0 ? 'generated types were already up to date\n' : `wrote ${stale.join(', ')}\n`);
  return EXIT.ok;
}

const command: Command = { name: 'codegen', summary: 'generate argument types for your architectures', help, run };
export default command;
