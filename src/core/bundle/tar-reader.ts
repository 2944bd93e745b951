/**
 * A strict, streaming reader for the tar dialect bundles use: ustar, regular files only, short
 * relative names, ending in two zero blocks. archbundle writes exactly that and nothing more;
 * the reader also takes what standard tools write when they re-pack the same files in the same
 * order (docs/bundle-format.md §1): GNU's header magic, pax headers and GNU long names that
 * only restate a file's own header, and zero padding to the end of a 10240-byte tar record.
 */
import { BundleError } from '../errors.js';
import type { ByteReader } from './byte-source.js';
import { MAX_EXTENSION_BYTES, parsePax } from './pax.js';
import { BLOCK, checkPath, isRegular, OCTAL_SIZE_LIMIT, parseHeader, printable, typeName, type RawHeader } from './tar-header.js';

/** tar writes in records of 20 blocks by default, zero-filling the last one after the end marker. */
const RECORD = 20 * BLOCK;

export interface TarEntryHeader {
  name: string;
  size: number;
  /** Offset of the entry's first data byte in the tar. */
  dataOffset: number;
}

/** What an extension header (pax 'x' or GNU 'L') says about the regular file after it. */
interface Extension {
  kind: string;
  at: number;
  path?: string;
  size?: number;
}

export class TarReader {
  private padding = 0;
  private count = 0;

  constructor(private readonly source: ByteReader) {}

  /** The next entry's header, or null at the end-of-archive marker. The caller reads exactly `size` bytes before calling again. */
  async next(): Promise<TarEntryHeader | null> {
    await this.skipPadding(this.padding, 'a tar entry');
    if (this.count === 0 && (await this.source.atEnd())) {
      throw new BundleError('E_NOT_TAR', 'bundle is empty: expected a tar archive');
    }
    let extension: Extension | undefined;
    for (;;) {
      const at = this.source.position;
      const block = await this.source.read(BLOCK, extension ? `the tar header after the ${extension.kind} at offset ${extension.at}` : 'a tar header');
      if (block.every((b) => b === 0)) {
        if (extension) throw dangling(extension, 'the end-of-archive marker');
        await this.end(at);
        return null;
      }
      const header = parseHeader(block, at, this.count === 0);
      this.count++;
      if (header.typeflag === 'x' || header.typeflag === 'L') {
        // One extension header per file: tools never write two, and two could contradict each other.
        if (extension) throw dangling(extension, `a ${typeName(header.typeflag)} at offset ${at}`);
        extension = await this.extension(header);
        continue;
      }
      if (!isRegular(header.typeflag)) {
        if (extension) throw dangling(extension, `a ${typeName(header.typeflag)} ("${printable(header.path)}") at offset ${at}`);
        throw new BundleError('E_ENTRY_TYPE', `bundle entry "${printable(header.path)}" is a ${typeName(header.typeflag)}; only regular files are allowed`);
      }
      const entry = resolve(header, extension);
      this.padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
      return { ...entry, dataOffset: this.source.position };
    }
  }

  /** Writers pad with zeros; anything else there is data no reader looks at, so refuse it. */
  private async skipPadding(length: number, after: string): Promise<void> {
    if (length === 0) return;
    const at = this.source.position;
    const padding = await this.source.read(length, `the padding of ${after}`);
    const nonZero = padding.findIndex((b) => b !== 0);
    if (nonZero >= 0) throw new BundleError('E_NOT_TAR', `bundle has a non-zero byte (${hex(padding[nonZero]!)}) at offset ${at + nonZero}, in the zero padding after ${after}`);
  }

  /** Reads a pax header's records or a GNU long name; they apply to the next header only. */
  private async extension(header: RawHeader): Promise<Extension> {
    const kind = typeName(header.typeflag);
    if (header.size === undefined) {
      throw new BundleError('E_NOT_TAR', `bad tar header at offset ${header.at}: the ${kind} has an unreadable size field`);
    }
    if (header.size > MAX_EXTENSION_BYTES) {
      throw new BundleError('E_ENTRY_TOO_LARGE', `bundle ${kind} at offset ${header.at} has ${header.size} bytes, more than the cap of ${MAX_EXTENSION_BYTES}`);
    }
    const data = await this.source.read(header.size, `the ${kind} at offset ${header.at}`);
    await this.skipPadding((BLOCK - (header.size % BLOCK)) % BLOCK, `the ${kind} at offset ${header.at}`);
    if (header.typeflag === 'x') return { kind, at: header.at, ...parsePax(data, header.at) };
    return { kind, at: header.at, path: longName(data, header.at) };
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

/**
 * The entry a regular file's header describes, with what the extension header before it says.
 * An extension may only restate the header: so an archive reads the same to a tool that ignores
 * extensions, and a path or size can't be hidden from one reader and shown to another. The one
 * exception is the size of a file of 8 GiB or more, which the header's octal field cannot hold:
 * GNU tar writes 0 there and Python leaves it blank, with the size in the pax header.
 */
function resolve(header: RawHeader, extension: Extension | undefined): { name: string; size: number } {
  const name = header.path;
  checkPath(name);
  if (extension?.path !== undefined && extension.path !== name) {
    throw new BundleError('E_ENTRY_PATH', `bundle entry "${printable(name)}" has the path "${printable(extension.path)}" in the ${extension.kind} at offset ${extension.at}; the two must agree`);
  }
  const stated = extension?.size;
  if (stated === undefined) {
    if (header.size === undefined) throw new BundleError('E_NOT_TAR', `bad tar header at offset ${header.at}: entry "${printable(name)}" has an unreadable size field`);
    return { name, size: header.size };
  }
  if (stated === header.size) return { name, size: stated };
  if (stated >= OCTAL_SIZE_LIMIT && (header.sizeBlank || header.size === 0)) return { name, size: stated };
  const field = header.size === undefined ? 'an unreadable size field' : `the size ${header.size}`;
  throw new BundleError('E_NOT_TAR', `bundle entry "${printable(name)}" has ${field} in its tar header but the size ${stated} in the ${extension!.kind} at offset ${extension!.at}; the two must agree`);
}

/** GNU's long name: the name's bytes and one NUL, as GNU tar and Python write it. */
function longName(data: Uint8Array, at: number): string {
  const nul = data.indexOf(0);
  if (nul === -1 || nul !== data.length - 1) {
    throw new BundleError('E_NOT_TAR', `bundle GNU long name at offset ${at}: expected a name ending in one NUL byte, received ${data.length} bytes with ${nul === -1 ? 'no NUL' : `a NUL at byte ${nul}`}`);
  }
  const name = String.fromCharCode(...data.subarray(0, nul));
  checkPath(name, `from the GNU long name at offset ${at}`);
  return name;
}

/** An extension header must be followed by the regular file it describes. */
function dangling(extension: Extension, followedBy: string): BundleError {
  return new BundleError('E_ENTRY_TYPE', `bundle ${extension.kind} at offset ${extension.at} is followed by ${followedBy}; expected the regular file it describes`);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
