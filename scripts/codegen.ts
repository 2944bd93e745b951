/**
 * Generates TypeScript argument types from every JSON Schema that declares a registered class
 * (architectures/<name>/schema.json, src/core/optimizers/*.schema.json, src/core/schedulers/*.schema.json).
 *   npm run codegen          writes the files
 *   npm run codegen -- --check   exits 1 when a checked-in file is stale
 *   npm run codegen -- --schema my/schema.json --out my/args.generated.ts   one schema anywhere
 * The drift test calls `generateAll` and compares with the files on disk.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argsTypeSource, GENERATED_HEADER as HEADER } from '../src/node/codegen.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The three kinds of registered class. Architectures keep their schema and types in a folder of
 * their own; optimizers and schedulers keep `<name>.schema.json` files side by side and get one
 * generated file of types. Each kind also gets the map from class name to argument type that
 * makes `createModel`, `createOptimizer` and `createScheduler` typed per class.
 */
const KINDS = [
  { dir: 'architectures', perFolder: true, mapFile: 'architectures/types.generated.ts', map: 'ArchitectureArgs' },
  { dir: 'src/core/optimizers', perFolder: false, mapFile: 'src/core/optimizers/args.generated.ts', map: 'OptimizerArgs' },
  { dir: 'src/core/schedulers', perFolder: false, mapFile: 'src/core/schedulers/args.generated.ts', map: 'SchedulerArgs' },
] as const;
const REGISTRIES = 'src/core/registries.ts';

/** A schema and the interface name its types get. */
interface Target {
  schemaPath: string;
  typeName: string;
  className: string;
}

async function schemaTargets(kind: (typeof KINDS)[number]): Promise<Target[]> {
  const dir = path.join(ROOT, kind.dir);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const paths = kind.perFolder
    ? entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name, 'schema.json'))
    : entries.filter((e) => e.isFile() && e.name.endsWith('.schema.json')).map((e) => path.join(dir, e.name));
  const targets: Target[] = [];
  for (const schemaPath of paths) {
    const schema = await readJson(schemaPath).catch(() => undefined);
    if (!schema) continue;
    targets.push({ schemaPath, typeName: `${String(schema.title)}Args`, className: String(schema.title) });
  }
  return targets;
}

export { argsTypeSource };

export async function generateAll(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const kind of KINDS) {
    const targets = await schemaTargets(kind);
    const mapFile = path.join(ROOT, kind.mapFile);
    const lines: string[] = [HEADER];
    if (kind.perFolder) {
      for (const t of targets) {
        const outPath = path.join(path.dirname(t.schemaPath), 'args.generated.ts');
        files.set(outPath, await argsTypeSource(t.schemaPath, t.typeName));
        lines.push(`import type { ${t.typeName} } from '${importPath(mapFile, outPath)}';`);
      }
    } else {
      for (const t of targets) lines.push('', withoutBanner(await argsTypeSource(t.schemaPath, t.typeName)).trimEnd());
    }
    lines.push('', `declare module '${importPath(mapFile, path.join(ROOT, REGISTRIES))}' {`, `  interface ${kind.map} {`);
    for (const t of targets) lines.push(`    ${t.className}: ${t.typeName};`);
    lines.push('  }', '}', '');
    files.set(mapFile, lines.join('\n'));
  }
  return files;
}

/** The relative import specifier of `to` from `from`'s folder (a .ts source as .js). */
function importPath(from: string, to: string): string {
  const rel = path.relative(path.dirname(from), to).replace(/\.ts$/, '.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function withoutBanner(source: string): string {
  return source.replace(`${HEADER}\n`, '').replace(/^\n+/, '');
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const single = process.argv.indexOf('--schema');
  if (single !== -1) {
    // A schema outside architectures/ (e.g. a user's own): `--schema FILE [--out FILE]`.
    const out = process.argv.indexOf('--out');
    const source = await argsTypeSource(path.resolve(process.argv[single + 1] ?? ''));
    if (out !== -1) await writeFile(path.resolve(process.argv[out + 1] ?? ''), source);
    else process.stdout.write(source);
    return;
  }
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [file, content] of await generateAll()) {
    const current = await readFile(file, 'utf8').catch(() => undefined);
    if (current === content) continue;
    if (check) stale.push(path.relative(ROOT, file));
    else await writeFile(file, content);
  }
  if (stale.length > 0) {
    console.error(`stale generated files (run npm run codegen): ${stale.join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
