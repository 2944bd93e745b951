/** readLabelsFile: class names from a text file (one per line) or a JSON array, with clear errors. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from './helpers/tempdir.js';
import { ArchbundleError, readLabelsFile } from '../src/index.js';

const dir = tempDir();

function file(name: string, content: string | Uint8Array): string {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
}

async function failure(at: string, options?: Parameters<typeof readLabelsFile>[1]): Promise<string> {
  try {
    await readLabelsFile(at, { name: path.basename(at), ...options });
  } catch (error) {
    assert.ok(error instanceof ArchbundleError, String(error));
    return `${error.code}: ${error.message}`;
  }
  assert.fail('accepted');
}

describe('readLabelsFile', () => {
  it('reads one label per line: trimmed, CRLF, a BOM and blank lines at the end allowed', async () => {
    assert.deepEqual(await readLabelsFile(file('a.txt', 'T-shirt/top\nTrouser\nAnkle boot\n')), ['T-shirt/top', 'Trouser', 'Ankle boot']);
    assert.deepEqual(await readLabelsFile(file('b.txt', '\ufeff cat \r\ndog\r\n\r\n\n')), ['cat', 'dog']);
    assert.deepEqual(await readLabelsFile(file('c.txt', 'only')), ['only']);
  });

  it('reads a JSON array of strings (blanks before it allowed), and checks the count against classes', async () => {
    assert.deepEqual(await readLabelsFile(file('a.json', '\n  ["0", "1", "two words"]\n'), { classes: 3 }), ['0', '1', 'two words']);
    assert.deepEqual(await readLabelsFile(file('a.txt', 'x\ny\n'), { classes: 2 }), ['x', 'y']);
  });

  it('refuses what is not a list of labels, naming the file and where', async () => {
    assert.equal(await failure(file('gap.txt', 'a\n\nb\n')), 'E_DATA_INVALID: labels file gap.txt line 2 is blank; expected one label per line (a blank line would shift the classes after it)');
    assert.equal(await failure(file('empty.txt', '\n \n')), 'E_DATA_INVALID: labels file empty.txt holds no labels; expected one label per line or a JSON array of strings');
    assert.equal(await failure(file('empty.json', '[]')), 'E_DATA_INVALID: labels file empty.json holds no labels; expected one label per line or a JSON array of strings');
    assert.equal(await failure(file('long.txt', `a\n${'x'.repeat(257)}\n`)), 'E_DATA_INVALID: labels file long.txt line 2 has 257 characters, more than 256');
    assert.equal(await failure(file('number.json', '["a", 7]')), 'E_DATA_INVALID: labels file number.json item 1 must be a string, received 7');
    assert.equal(await failure(file('blank.json', '["a", ""]')), 'E_DATA_INVALID: labels file blank.json item 1 is an empty label');
    assert.match(await failure(file('broken.json', '["a", "b"')), /^E_JSON_SYNTAX: labels file broken\.json/);
    assert.match(await failure(file('dup.json', '["a", "a"] ["b"]')), /^E_JSON_SYNTAX: labels file dup\.json.*unexpected text after the JSON value/);
    assert.equal(await failure(file('latin1.txt', Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]))), 'E_DATA_INVALID: labels file latin1.txt is not valid UTF-8 text');
    assert.equal(await failure(path.join(dir, 'missing.txt')), 'E_IO: cannot read missing.txt: no such file (ENOENT)');
    assert.equal(await failure(dir), `E_IO: cannot read ${path.basename(dir)}: it is a folder (EISDIR)`);
  });

  it('refuses a count other than the model\'s classes (E_INPUT_MISMATCH)', async () => {
    assert.equal(
      await failure(file('nine.txt', Array.from({ length: 9 }, (_, i) => `c${i}`).join('\n')), { classes: 10 }),
      'E_INPUT_MISMATCH: labels file nine.txt holds 9 labels; the model has 10 classes, expected one label per class',
    );
  });
});
