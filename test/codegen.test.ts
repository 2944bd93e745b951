import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { ROOT, generateAll } from '../scripts/codegen.js';

it('generated argument types are up to date with their schemas (npm run codegen)', async () => {
  const stale: string[] = [];
  for (const [file, expected] of await generateAll()) {
    const current = await readFile(file, 'utf8').catch(() => '(missing)');
    if (current !== expected) stale.push(path.relative(ROOT, file));
  }
  assert.deepEqual(stale, [], 'stale generated files: run `npm run codegen`');
});

it('every generated file carries the DO-NOT-EDIT header', async () => {
  for (const [file] of await generateAll()) {
    const text = await readFile(file, 'utf8');
    assert.match(text.split('\n')[0]!, /DO NOT EDIT/, path.relative(ROOT, file));
  }
});
