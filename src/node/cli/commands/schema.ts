import { schemaVersion } from '../../../core/architecture.js';
import { architectures } from '../../../core/registries.js';
import { loadConfig } from '../../config/load.js';
import type { Command } from '../command.js';
import { json, table } from '../format.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle schema list [--json] [--config FILE]
       archbundle schema show NAME [--json] [--config FILE]

List the registered architectures, or show one architecture's argument schema.

Options:
  --json          machine-readable output (show --json prints the JSON Schema itself)
  --config FILE   also register the user architectures listed in this config file
  --verbose       stack traces on errors
  -h, --help      this help
`;

interface PropertyRow {
  name: string;
  type: string;
  required: boolean;
  default: unknown;
  description: string;
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('schema', argv, {
    json: { type: 'boolean' },
    config: { type: 'string' },
  });
  const [action, name, ...extra] = positionals;
  if (values.config) await loadConfig({ file: values.config as string, cwd: io.cwd });
  if (action === 'list' && name === undefined) {
    const rows = architectures.list().map((a) => ({
      name: a.name,
      version: schemaVersion(a.schema),
      id: String(a.schema.$id ?? ''),
      description: String(a.schema.description ?? ''),
    }));
    if (values.json) io.out(json(rows));
    else io.out(table(['NAME', 'VERSION', 'DESCRIPTION'], rows.map((r) => [r.name, String(r.version), r.description])));
    return EXIT.ok;
  }
  if (action === 'show' && name !== undefined && extra.length === 0) {
    const definition = architectures.get(name);
    if (values.json) {
      io.out(json(definition.schema));
      return EXIT.ok;
    }
    const rows = properties(definition.schema);
    io.out(`${name} (schema ${String(definition.schema.$id ?? '')}, version ${schemaVersion(definition.schema)})\n`);
    if (definition.schema.description) io.out(`${String(definition.schema.description)}\n`);
    io.out('\n');
    io.out(
      table(
        ['ARGUMENT', 'TYPE', 'DEFAULT', 'DESCRIPTION'],
        rows.map((r) => [r.name, r.type, r.required ? '(required)' : JSON.stringify(r.default) ?? '-', r.description]),
      ),
    );
    return EXIT.ok;
  }
  throw new UsageError(
    action === 'show' ? 'expected exactly one architecture name after "show"' : `expected "list" or "show NAME", received ${JSON.stringify(positionals.join(' '))}`,
    'schema',
  );
}

function properties(schema: Record<string, unknown>): PropertyRow[] {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => ({
    name,
    type: typeOf(p),
    required: required.has(name),
    default: p.default,
    description: String(p.description ?? ''),
  }));
}

function typeOf(p: Record<string, unknown>): string {
  if (Array.isArray(p.enum)) return p.enum.map((v) => JSON.stringify(v)).join('|');
  if (Array.isArray(p.oneOf)) return (p.oneOf as Record<string, unknown>[]).map(typeOf).join('|');
  if (p.type === 'array') {
    if (Array.isArray(p.prefixItems)) return `[${(p.prefixItems as Record<string, unknown>[]).map(typeOf).join(', ')}]`;
    if (p.items && typeof p.items === 'object') return `${typeOf(p.items as Record<string, unknown>)}[]`;
  }
  if (Array.isArray(p.type)) return p.type.join('|');
  return typeof p.type === 'string' ? p.type : 'any';
}

const command: Command = { name: 'schema', summary: 'list or show architecture schemas', help, run };
export default command;
