/**
 * A strict, streaming reader for the tar dialect bundles use: ustar (POSIX or GNU magic),
 * regular files only, short relative names, ending in two zero blocks and nothing after them
 * but the zero padding tar adds to the end of its 10240-byte record.
 */
import { BundleError } from '../errors.js';
import type { ByteReader } from './byte-source.js';
import { BLOCK, checkPath, isRegular, parseHeader, printable, typeName } from './tar-header.js';

/** tar writes in records of 20 blocks by default, zero-filling the last one after the end marker. */
const RECORD = 20 * BLOCK;

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
    const raw = parseHeader(header, at, this.count === 0);
    this.count++;
    if (!isRegular(raw.typeflag)) {
      throw new BundleError('E_ENTRY_TYPE', `bundle entry "${printable(raw.path)}" is a ${typeName(raw.typeflag)}; only regular files are allowed`);
    }
    checkPath(raw.path);
    if (raw.size === undefined) throw new BundleError('E_NOT_TAR', `bad tar header at offset ${at}: entry "${printable(raw.path)}" has an unreadable size field`);
    const entry = { name: raw.path, size: raw.size };
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

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
