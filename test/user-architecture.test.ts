/**
 * The "new architecture in five minutes" example of docs/architectures.md is real code: its files
 * live in docs/examples/user-architecture/ and the doc quotes them. Here they are copied to a
 * temp folder outside the repo, set up as a user's project would be (node_modules, 'archbundle'
 * resolving to this checkout's source), type-checked with tsc and run with tsx.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { argsTypeSource } from '../scripts/codegen.js';

const execFileAsync = promisify(execFile);

/** Runs a command; on failure the error carries its output, so the test report shows why. */
async function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string }> {
  try {
    return await execFileAsync(file, args, options);
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(ROOT, 'docs', 'examples', 'user-architecture');
let project = '';

before(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'archbundle-user-'));
  await cp(EXAMPLE, project, { recursive: true });
  await symlink(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  const tsconfig = JSON.parse(await readFile(path.join(EXAMPLE, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  tsconfig.compilerOptions.paths = { archbundle: [path.join(ROOT, 'src', 'index.ts')] };
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
});

after(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('a user-defined architecture outside the repo', () => {
  it('has types generated from its schema (codegen --schema), up to date', async () => {
    const expected = await argsTypeSource(path.join(EXAMPLE, 'schema.json'));
    assert.equal(await readFile(path.join(EXAMPLE, 'args.generated.ts'), 'utf8'), expected);
  });

  it('type-checks, with wrong arguments a compile error (@ts-expect-error is used)', async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', path.join(project, 'tsconfig.json')], { cwd: project });
  });

  it('registers, builds with defaults filled, predicts, and rejects bad arguments by pointer', async () => {
    const tsx = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const { stdout } = await run(process.execPath, [tsx, '--tsconfig', path.join(project, 'tsconfig.json'), path.join(project, 'main.ts')], {
      cwd: project,
      env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu' },
    });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.deepEqual(result.shape, [2, 3]);
    assert.deepEqual(result.args, { classes: 3, resolution: [1, 8, 8], filters: 4, bias: true, clamp: false, whitening: null, kernelSize: 3, activation: 'relu' });
    assert.deepEqual(result.weights, ['conv1/kernel', 'conv1/bias', 'logits/kernel', 'logits/bias']);
    assert.deepEqual(result.rejected, ['/filters', '/kernelSize']);
  });

  it('is quoted verbatim by docs/architectures.md', async () => {
    const doc = await readFile(path.join(ROOT, 'docs', 'architectures.md'), 'utf8');
    for (const file of ['tiny-cnn.ts', 'types.ts', 'main.ts']) {
      const source = await readFile(path.join(EXAMPLE, file), 'utf8');
      assert.ok(doc.includes(source.trim()), `docs/architectures.md quotes ${file}`);
    }
  });
});
