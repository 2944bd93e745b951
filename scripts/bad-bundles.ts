/**
 * npm run fixtures:bad-bundles: writes the catalog of hand-made bad bundles
 * (test/helpers/bad-bundles.ts) to test/fixtures/bad-bundles/, one `<id>.bundle` per case and
 * `index.json`, and removes files of cases that no longer exist. The TypeScript and the Python
 * tests read these files; test/bad-bundles.test.ts fails when they are stale.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { badBundles, FIXTURE_FOLDER, fixtureFiles } from '../test/helpers/bad-bundles.js';

const folder = join(fileURLToPath(new URL('..', import.meta.url)), FIXTURE_FOLDER);
const files = fixtureFiles(await badBundles());
mkdirSync(folder, { recursive: true });
for (const name of readdirSync(folder)) if (!files.has(name)) rmSync(join(folder, name));
for (const [name, bytes] of files) writeFileSync(join(folder, name), bytes);
console.log(`${files.size - 1} bad bundles and index.json in ${FIXTURE_FOLDER}`);
