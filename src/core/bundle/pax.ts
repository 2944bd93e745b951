/**
 * The records of a pax extended header (POSIX.1-2001, type flag 'x'), parsed strictly. GNU tar
 * (`--format=pax`) and Python's tarfile (its default format) put one before each file with the
 * file's times (and, for files of 8 GiB and more, its size). A bundle may carry such headers,
 * but only with keys that cannot change what the archive means: times and owner ids, which
 * readers ignore, and `path` and `size`, which must say what the file's own header says (the
 * reader checks that; see tar-reader.ts). Any other key (`linkpath`, `hdrcharset`,
 * `GNU.sparse.*`, vendor keys...) is refused, so the archive reads the same to every tool.
 */
import { BundleError } from '../errors.js';
import { checkPath, printable } from './tar-header.js';

/** The largest pax header (or GNU long name) read; tools write well under 1 KiB for a bundle's files. */
export const MAX_EXTENSION_BYTES = 64 * 1024;

/** What a pax header says about the file after it; times and ids are checked, then dropped. */
export interface PaxRecords {
  path?: string;
  size?: number;
}

const TIME = /^-?[0-9]{1,20}(\.[0-9]{1,20})?$/;
const DECIMAL = /^[0-9]{1,20}$/;
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;

/** Each accepted key and the check of its value; a failing check returns what was expected. */
const KEYS: Record<string, (value: string, where: string) => string | undefined> = {
  mtime: (v) => (TIME.test(v) ? undefined : 'a time in seconds such as "1700000000.5"'),
  atime: (v) => (TIME.test(v) ? undefined : 'a time in seconds such as "1700000000.5"'),
  ctime: (v) => (TIME.test(v) ? undefined : 'a time in seconds such as "1700000000.5"'),
  uid: (v) => (DECIMAL.test(v) ? undefined : 'a decimal id'),
  gid: (v) => (DECIMAL.test(v) ? undefined : 'a decimal id'),
  uname: (v) => (NO_CONTROL.test(v) ? undefined : 'a name without control characters'),
  gname: (v) => (NO_CONTROL.test(v) ? undefined : 'a name without control characters'),
  size: (v) => (DECIMAL.test(v) && Number.isSafeInteger(Number(v)) ? undefined : 'a decimal byte count'),
  path: (v, where) => void checkPath(v, where),
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses the data of the pax header at offset `at`: records `"<length> <key>=<value>\n"`, the length in bytes covering the whole record. */
export function parsePax(data: Uint8Array, at: number): PaxRecords {
  const records: PaxRecords = {};
  const seen = new Set<string>();
  for (let pos = 0, index = 1; pos < data.length; index++) {
    const bad = (what: string): never => {
      throw new BundleError('E_NOT_TAR', `bundle pax header at offset ${at}, record ${index} (byte ${pos}): ${what}`);
    };
    let digitsEnd = pos;
    while (digitsEnd < data.length && digitsEnd - pos < 10 && data[digitsEnd]! >= 0x30 && data[digitsEnd]! <= 0x39) digitsEnd++;
    const lengthText = latin1(data.subarray(pos, digitsEnd));
    if (!/^[1-9][0-9]*$/.test(lengthText) || data[digitsEnd] !== 0x20) {
      bad(`expected a decimal length without leading zeros and a space, received "${printable(latin1(data.subarray(pos, pos + 12)))}"`);
    }
    const end = pos + Number(lengthText);
    if (end > data.length) bad(`its length ${lengthText} runs past the end of the header's ${data.length} bytes`);
    if (end < digitsEnd + 4) bad(`its length ${lengthText} is too short for "<length> <key>=<value>\\n"`);
    if (data[end - 1] !== 0x0a) bad(`expected the record's ${lengthText} bytes to end with a newline, received "${printable(latin1(data.subarray(end - 1, end)))}"`);
    const body = data.subarray(digitsEnd + 1, end - 1);
    const eq = body.indexOf(0x3d);
    if (eq <= 0) bad(`expected "<key>=<value>", received "${printable(latin1(body.subarray(0, 40)))}"`);
    const key = decode(body.subarray(0, eq), bad);
    const value = decode(body.subarray(eq + 1), bad);

    const check = Object.hasOwn(KEYS, key) ? KEYS[key]! : undefined;
    if (!check) {
      throw new BundleError('E_ENTRY_TYPE', `bundle pax header at offset ${at} has the key "${clip(key)}"; only ${Object.keys(KEYS).join(', ')} are accepted`);
    }
    if (seen.has(key)) bad(`the key "${key}" appears a second time`);
    seen.add(key);
    const expected = check(value, `from the pax header at offset ${at}`);
    if (expected) bad(`"${key}" must be ${expected}, received "${clip(value)}"`);
    if (key === 'path') records.path = value;
    if (key === 'size') records.size = Number(value);
    pos = end;
  }
  return records;
}

function decode(bytes: Uint8Array, bad: (what: string) => never): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return bad(`expected UTF-8, received the bytes "${printable(latin1(bytes.subarray(0, 40)))}"`);
  }
}

/** Text for a message: escaped, and cut short (a pax value may be 64 KiB). */
function clip(text: string): string {
  return printable(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}
