/**
 * The catalog of hand-made bad bundles (test/helpers/bad-bundles.ts), as the fixture files the
 * Python package's tests read too: the files are what the catalog generates, every case is
 * refused with its code by the layer its stage names, and every code of docs/bundle-format.md §6
 * has a case.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { badBundles, baseBundles, expectLoadRefused, FIXTURE_FOLDER, fixtureFiles, mutants, type BadBundle } from './helpers/bad-bundles.js';
import { tempDir } from './helpers/tempdir.js';
import { checkTrainingClasses } from '../src/core/index.js';
import { ArchbundleError, openBundleFile, readBundle, State, type BundleSource } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = join(root, FIXTURE_FOLDER);
let cases: BadBundle[];

before(async () => {
  await useTestBackend();
  cases = await badBundles();
});

/** What `archbundle validate` does without TF.js: read and check, then check the optimizer and scheduler classes. */
async function validate(source: BundleSource): Promise<void> {
  checkTrainingClasses(await readBundle(source));
}

/** The codes of the table in §6 of docs/bundle-format.md: every backticked E_ code of its last column. */
export function documentedCodes(): Set<string> {
  const doc = readFileSync(join(root, 'docs/bundle-format.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('6. '));
  assert.ok(section, 'docs/bundle-format.md has a section 6');
  const codes = new Set<string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('| '))) {
    const cells = line.split(' | ');
    for (const [, code] of cells[cells.length - 1]!.matchAll(/`(E_[A-Z_]+)`/g)) codes.add(code!);
  }
  return codes;
}

describe('the bad-bundle fixtures', () => {
  it('are what the catalog generates, byte for byte, and nothing else', async () => {
    const expected = fixtureFiles(cases);
    const stale = 'test/fixtures/bad-bundles/ is stale: run npm run fixtures:bad-bundles and commit the result';
    assert.deepEqual(readdirSync(folder).sort(), [...expected.keys()].sort(), stale);
    for (const [name, bytes] of expected) assert.ok(Buffer.from(bytes).equals(readFileSync(join(folder, name))), `${name}: ${stale}`);
  });

  it('are generated the same twice (no randomness, no clock)', async () => {
    const again = fixtureFiles(await badBundles());
    for (const [name, bytes] of fixtureFiles(cases)) assert.ok(Buffer.from(bytes).equals(again.get(name)!), name);
  });

  it('cover every code of the table in docs/bundle-format.md §6', () => {
    const documented = documentedCodes();
    assert.ok(documented.size >= 20, `found only ${[...documented].join(', ')} in §6`);
    const covered = new Set<string>(cases.map((c) => c.code));
    assert.deepEqual([...documented].filter((code) => !covered.has(code)), [], 'codes of §6 without a case in test/helpers/bad-bundles.ts');
  });
});

describe('every bad bundle is refused with its code', () => {
  it('the bases load and pass validation, so each case has only its own defect', async () => {
    for (const base of Object.values(await baseBundles())) {
      await validate(base);
      const state = await State.load(base);
      state.model.dispose();
      state.optimizer?.dispose();
    }
  });

  it('by State.load, from the file and from its bytes, leaving no tensor allocated', async () => {
    for (const c of cases) {
      await expectLoadRefused(c.bytes, join(folder, `${c.id}.bundle`), c.code).catch((error: Error) => {
        throw new Error(`${c.id}: ${error.message}`);
      });
    }
  });

  it('by the TF.js-free layer (what archbundle validate does) for the read cases, not for the load cases', async () => {
    for (const c of cases) {
      for (const source of [c.bytes, await openBundleFile(join(folder, `${c.id}.bundle`))]) {
        const error = await validate(source).then(() => undefined, (e: unknown) => e);
        if (c.stage === 'load') {
          assert.equal(error, undefined, `${c.id}: a load case must pass validation, received ${String(error)}`);
        } else {
          assert.ok(error instanceof ArchbundleError, `${c.id}: expected ArchbundleError ${c.code}, received ${String(error)}`);
          assert.equal(error.code, c.code, `${c.id}: ${error.message}`);
        }
      }
    }
  });
});

/** archbundle.read on each file: "OK", the BundleError's code, or any other exception as it is (a crash is a disagreement too). */
const PYTHON_CODES = `
import json, os, sys, archbundle
out = []
for path in sys.argv[1:]:
    try:
        archbundle.read(path)
        out.append("OK")
    except archbundle.BundleError as error:
        out.append(error.code)
    except Exception as error:
        out.append(f"{type(error).__name__}: {error}")
print(json.dumps(out))
`;

describe('the Python package reads as the TypeScript reader', () => {
  // Fails where python3, numpy or jsonschema are missing: CI installs them, and a skip would hide drift.
  it('of 400 randomly damaged bundles, refuses each with the same code or reads it too', async () => {
    const folder = tempDir('archbundle-mutants-');
    const bundles = await mutants(20261203, 400);
    const paths = bundles.map((bytes, i) => {
      const path = join(folder, `m${i}.bundle`);
      writeFileSync(path, bytes);
      return path;
    });
    const ours: string[] = [];
    for (const bytes of bundles) ours.push(await validate(bytes).then(() => 'OK', (e: unknown) => (e instanceof ArchbundleError ? e.code : String(e))));
    const run = spawnSync('/usr/bin/python3', ['-c', PYTHON_CODES, ...paths], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: join(root, 'python') } });
    assert.equal(run.status, 0, run.stderr);
    const theirs = JSON.parse(run.stdout) as string[];
    const differ = ours.flatMap((code, i) => (code === theirs[i] ? [] : [`m${i}.bundle: TypeScript ${code}, Python ${theirs[i]}`]));
    assert.deepEqual(differ, [], 'write the bundles with mutants() from test/helpers/bad-bundles.ts to look at them');
    // the damage must reach every layer, or agreement proves little
    assert.ok(new Set(ours).size >= 12 && ours.includes('OK'), `codes met: ${[...new Set(ours)].join(', ')}`);
  });
});
