import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine } from '../usage.js';

const help = `Usage: archbundle codegen [--check]

Regenerate the TypeScript argument types (args.generated.ts, DO NOT EDIT) from every
architecture, optimizer and scheduler JSON Schema in this checkout.

Options:
  --check      write nothing; exit 1 and list the files that are stale
  --verbose    stack traces on errors
  -h, --help   this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandLine('codegen', argv, { check: { type: 'boolean' } });
  const { generateAll, ROOT } = await import('../../../../scripts/codegen.js');
  const stale: string[] = [];
  for (const [file, content] of await generateAll()) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === content) continue;
    stale.push(path.relative(ROOT, file));
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

const command: Command = { name: 'codegen', summary: 'regenerate argument types', help, run };
export default command;
