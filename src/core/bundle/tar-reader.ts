/**
 * A strict, streaming reader for the one tar dialect bundles use: POSIX ustar, regular files
 * only, short relative names, ending in two zero blocks and nothing after them but the zero
 * padding tar adds to the end of its 10240-byte record.
 */
import { BundleError } from '../errors.js';
import type { ByteReader } from './byte-source.js';

const BLOCK = 512;
/** tar writes in records of 20 blocks by default, zero-filling the last one after the end marker. */
const RECORD = 20 * BLOCK;

/** Type flags by meaning, for messages. */
const TYPE_NAMES: Record<string, string> = {
  '1': 'hard link', '2': 'symbolic link', '3': 'character device', '4': 'block device', '5': 'directory',
  '6': 'fifo', '7': 'contiguous file', x: 'pax header', g: 'pax global header', L: 'GNU long name', K: 'GNU long link',
};

export interface TarEntryHeader {
  name: string;
  size: number;
  /** Offset of the entry's first data byte in the tar. */
  dataOffset: number;
}

export class TarReader {
  private padding = 0;
  private count = 0;

  constructor(private readonly source: ByteReader) {}

  /** The next entry's header, or null at the end-of-archive marker. The caller reads exactly `size` bytes before calling again. */
  async next(): Promise<TarEntryHeader | null> {
    if (this.padding > 0) await this.source.read(this.padding, 'the padding of a tar entry');
    if (this.count === 0 && (await this.source.atEnd())) {
      throw new BundleError('E_NOT_TAR', 'bundle is empty: expected a tar archive');
    }
    const at = this.source.position;
    const header = await this.source.read(BLOCK, 'a tar header');
    if (header.every((b) => b === 0)) {
      await this.end(at);
      return null;
    }
    const entry = parseHeader(header, at, this.count === 0);
    this.count++;
    this.padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    return { ...entry, dataOffset: this.source.position };
  }

  /**
   * After the first zero block at `at`: the second one, then nothing, or only zeros up to the end
   * of the tar record the marker ends in (GNU tar and Python fill the last 10240-byte record).
   */
  private async end(at: number): Promise<void> {
    const second = await this.source.read(BLOCK, 'the tar end-of-archive marker');
    // A zero block followed by anything but a second zero block is not the end marker.
    const stray = second.findIndex((b) => b !== 0);
    if (stray !== -1) {
      throw new BundleError('E_TRAILING_DATA', `bundle has a non-zero byte (${hex(second[stray]!)}) at offset ${at + BLOCK + stray}, inside the tar end-of-archive marker; expected two zero blocks`);
    }
    const markerEnd = at + 2 * BLOCK;
    const recordEnd = Math.ceil(markerEnd / RECORD) * RECORD;
    const tail = await this.source.readAtMost(recordEnd - markerEnd);
    const nonZero = tail.findIndex((b) => b !== 0);
    if (nonZero !== -1) {
      throw new BundleError('E_TRAILING_DATA', `bundle has a non-zero byte (${hex(tail[nonZero]!)}) at offset ${markerEnd + nonZero}, after the tar end-of-archive marker; only zero padding may follow it`);
    }
    if (!(await this.source.atEnd())) {
      throw new BundleError('E_TRAILING_DATA', `bundle has bytes after offset ${recordEnd}: the tar end-of-archive marker ends at ${markerEnd}, and only zero padding up to the next multiple of ${RECORD} bytes may follow it`);
    }
  }
}

function parseHeader(block: Uint8Array, at: number, first: boolean): { name: string; size: number } {
  const notTar = (what: string): never => {
    throw new BundleError('E_NOT_TAR', `${first ? 'bundle is not a tar archive' : 'bad tar header'} at offset ${at}: ${what}`);
  };
  const magic = ascii(block, 257, 6);
  const version = ascii(block, 263, 2);
  if (magic !== 'ustar\0' || version !== '00') notTar(`expected POSIX ustar magic, received ${JSON.stringify(magic + version)}`);
  const stored = parseOctal(ascii(block, 148, 8));
  if (stored === undefined || stored !== headerChecksum(block)) notTar('header checksum does not match');

  const name = cString(block, 0, 100);
  const typeflag = String.fromCharCode(block[156]!);
  if (typeflag !== '0' && typeflag !== '\0') {
    const kind = TYPE_NAMES[typeflag] ?? `type ${JSON.stringify(typeflag)}`;
    throw new BundleError('E_ENTRY_TYPE', `bundle entry "${printable(name)}" is a ${kind}; only regular files are allowed`);
  }
  const prefix = cString(block, 345, 155);
  checkPath(prefix ? `${prefix}/${name}` : name);
  const size = parseSize(block.subarray(124, 136));
  if (size === undefined) notTar(`entry "${name}" has an unreadable size field`);
  return { name, size: size! };
}

function checkPath(path: string): void {
  const bad = (why: string): never => {
    throw new BundleError('E_ENTRY_PATH', `bundle entry path "${printable(path)}" ${why}; expected a plain file name such as "arch.json"`);
  };
  if (path.length === 0) bad('is empty');
  if (path.startsWith('/')) bad('is absolute');
  if (path.includes('\\')) bad('contains a backslash');
  if (/[^\x21-\x7e]/.test(path)) bad('contains a control, space or non-ASCII character');
  if (path.split('/').some((part) => part === '..')) bad('contains ".."');
  if (path.includes('/')) bad('names a folder');
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

function printable(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
