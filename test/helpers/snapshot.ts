import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'snapshots');

/**
 * Compares `actual` with test/snapshots/<name>.txt. With UPDATE_SNAPSHOTS=1 the file is
 * (re)written instead; a missing snapshot fails otherwise, so CI never passes on a fresh write.
 */
export function matchSnapshot(name: string, actual: string): void {
  const file = path.join(DIR, `${name}.txt`);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${name} is missing: run the test with UPDATE_SNAPSHOTS=1 and review test/snapshots/${name}.txt`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from test/snapshots/${name}.txt (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

/** Replaces run-specific text (temp folders, timings) with stable placeholders. */
export function normalize(text: string, replacements: Record<string, string> = {}): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to);
  return out.replace(/"(ms|seconds|imagesPerSecond)": [0-9.e+-]+/g, '"$1": <TIME>');
}
