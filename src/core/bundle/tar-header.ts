/**
 * One 512-byte tar header block, decoded and checked on its own: magic, checksum, type flag,
 * name and size fields, and the rules for an entry path. What a header means in sequence
 * (extension headers, the end of the archive) is tar-reader.ts's business.
 */
import { BundleError } from '../errors.js';

export const BLOCK = 512;

/** Sizes from 8 GiB (8^11) on do not fit the 11 octal digits of a ustar size field. */
export const OCTAL_SIZE_LIMIT = 8 ** 11;

/** Type flags by meaning, for messages. */
const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link', '2': 'symbolic link', '3': 'character device', '4': 'block device', '5': 'directory',
  '6': 'fifo', '7': 'contiguous file', x: 'pax header', g: 'pax global header', L: 'GNU long name', K: 'GNU long link',
  S: 'GNU sparse file', D: 'GNU dumpdir', M: 'GNU multi-volume continuation', V: 'GNU volume label',
};

export interface RawHeader {
  /** Offset of the header block in the tar. */
  at: number;
  typeflag: string;
  /** The name field, after the ustar prefix and a `/` when there is a prefix. */
  path: string;
  /** The size field, or undefined when it is unreadable. */
  size: number | undefined;
  /** The size field holds only NULs and spaces (Python's pax writer leaves it so when the pax header holds the size). */
  sizeBlank: boolean;
}

/**
 * Decodes a header block. Two magics are accepted: POSIX ustar (`"ustar\0"` + `"00"`, what
 * archbundle, `tar --format=ustar|pax` and Python's tarfile in ustar or pax format write) and
 * GNU (`"ustar  \0"`, what GNU tar writes by default and Python's GNU_FORMAT).
 */
export function parseHeader(block: Uint8Array, at: number, first: boolean): RawHeader {
  const notTar = (what: string): never => {
    throw new BundleError('E_NOT_TAR', `${first ? 'bundle is not a tar archive' : 'bad tar header'} at offset ${at}: ${what}`);
  };
  const magic = ascii(block, 257, 8);
  const gnu = magic === 'ustar  \0';
  if (magic !== 'ustar\u000000' && !gnu) notTar(`expected the POSIX ustar magic "ustar\\u000000" or GNU's "ustar  \\u0000", received ${JSON.stringify(magic)}`);
  const stored = parseOctal(ascii(block, 148, 8));
  if (stored === undefined || stored !== headerChecksum(block)) notTar('header checksum does not match');

  const typeflag = String.fromCharCode(block[156]!);
  const name = cString(block, 0, 100);
  // In a GNU header the ustar prefix area holds GNU fields instead: atime and ctime (ignored,
  // like mtime), then the multi-volume offset, sparse map and real size, which only GNU's
  // sparse and multi-volume archives use; they must be unused here.
  if (gnu && block.subarray(369, 500).some((b) => b !== 0)) {
    throw new BundleError('E_ENTRY_TYPE', `bundle entry "${printable(name)}" at offset ${at} has GNU sparse or multi-volume fields set; only plain regular files are allowed`);
  }
  const prefix = gnu ? '' : cString(block, 345, 155);
  const sizeField = block.subarray(124, 136);
  return {
    at,
    typeflag,
    path: prefix ? `${prefix}/${name}` : name,
    size: parseSize(sizeField),
    sizeBlank: sizeField.every((b) => b === 0 || b === 0x20),
  };
}

/** Regular files: `'0'`, and `'\0'` from pre-POSIX tars. */
export function isRegular(typeflag: string): boolean {
  return typeflag === '0' || typeflag === '\0';
}

/** A type flag as people call it, for messages. */
export function typeName(typeflag: string): string {
  return TYPE_NAMES[typeflag] ?? `type ${JSON.stringify(typeflag)}`;
}

/** Entry paths are plain file names: the format has no folders, and nothing may escape one. `where` says where the path came from. */
export function checkPath(path: string, where = ''): void {
  const bad = (why: string): never => {
    throw new BundleError('E_ENTRY_PATH', `bundle entry path "${printable(path)}"${where ? ` (${where})` : ''} ${why}; expected a plain file name such as "arch.json"`);
  };
  if (path.length === 0) bad('is empty');
  if (path.startsWith('/')) bad('is absolute');
  if (path.includes('\\')) bad('contains a backslash');
  if (/[^\x21-\x7e]/.test(path)) bad('contains a control, space or non-ASCII character');
  if (path.split('/').some((part) => part === '..')) bad('contains ".."');
  if (path.includes('/')) bad('names a folder');
}

export function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function headerChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

/** ustar size: octal digits (NUL/space terminated), or base-256 when the top bit is set (sizes ≥ 8 GiB). */
function parseSize(field: Uint8Array): number | undefined {
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return Number.isSafeInteger(value) ? value : undefined;
  }
  return parseOctal(ascii(field, 0, field.length));
}

function parseOctal(text: string): number | undefined {
  const trimmed = text.replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]{1,12}$/.test(trimmed)) return undefined;
  return parseInt(trimmed, 8);
}

function cString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return latin1(field.subarray(0, end === -1 ? length : end));
}

function ascii(block: Uint8Array, offset: number, length: number): string {
  return latin1(block.subarray(offset, offset + length));
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}
