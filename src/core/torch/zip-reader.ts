/**
 * A strict reader for the zip archives torch.save writes: stored (uncompressed) records found
 * through the central directory, zip64 included (large checkpoints, or more than 65,535 records),
 * data descriptors included (torch's writer uses them). It refuses compression, encryption,
 * multi-disk archives, names that could mean a path outside the archive, duplicate names,
 * records that overlap one another or the directory, offsets out of range and local headers that
 * disagree with the directory. Records are not read here; `zipRecordBytes` checks each one's
 * CRC-32 when it is read.
 */
import { ForeignFormatError } from '../errors.js';
import { ByteCursor } from './byte-cursor.js';
import { crc32 } from './crc32.js';
import type { TorchLimits } from './limits.js';

export interface ZipRecord {
  readonly name: string;
  /** Offset of the record's local header. */
  readonly headerOffset: number;
  /** Offset of the record's first data byte. */
  readonly dataOffset: number;
  readonly size: number;
  readonly crc32: number;
  /** One past the record's last byte (its data descriptor included). */
  readonly end: number;
}

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64: 0x06064b50, locator64: 0x07064b50, descriptor: 0x08074b50 };
const END_BYTES = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const ZIP64_EXTRA = 0x0001;
const U16_FULL = 0xffff;
const U32_FULL = 0xffffffff;
const METHODS: Record<number, string> = { 1: 'shrink', 6: 'implode', 8: 'deflate', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstandard', 95: 'xz', 98: 'ppmd', 99: 'AES encryption' };
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bad(what: string): never {
  throw new ForeignFormatError('E_TORCH_FORMAT', `zip archive ${what}`);
}

/** The records of the archive, in central-directory order. */
export function readZipDirectory(bytes: Uint8Array, limits: Pick<TorchLimits, 'maxZipRecords'>): ZipRecord[] {
  const end = findEnd(bytes);
  if (end.count > limits.maxZipRecords) bad(`holds ${end.count} records; the cap is ${limits.maxZipRecords}`);
  const directory = new ByteCursor(bytes, 'the zip central directory', end.offset, end.offset + end.size, 'E_TORCH_FORMAT');
  const names = new Set<string>();
  const records: ZipRecord[] = [];
  for (let i = 0; i < end.count; i++) {
    const entry = readCentral(directory, end.offset);
    if (names.has(entry.name)) bad(`holds the record "${printable(entry.name)}" twice`);
    names.add(entry.name);
    records.push(readLocal(bytes, entry, end.offset));
  }
  if (directory.remaining !== 0) bad(`central directory has ${directory.remaining} bytes after its ${end.count} records`);
  checkNoOverlap(records);
  return records;
}

/** A record's bytes (a view), after checking its CRC-32 against the central directory's. */
export function zipRecordBytes(bytes: Uint8Array, record: ZipRecord): Uint8Array {
  const data = bytes.subarray(record.dataOffset, record.dataOffset + record.size);
  const actual = crc32(data);
  if (actual !== record.crc32) {
    bad(`record "${printable(record.name)}" fails its CRC-32 check: the directory says ${hex(record.crc32)}, the data gives ${hex(actual)}`);
  }
  return data;
}

// --- end of central directory ----------------------------------------------------------------------

interface DirectoryEnd {
  offset: number;
  size: number;
  count: number;
}

function findEnd(bytes: Uint8Array): DirectoryEnd {
  const lowest = Math.max(0, bytes.length - END_BYTES - MAX_COMMENT);
  let at = -1;
  for (let p = bytes.length - END_BYTES; p >= lowest; p--) {
    if (u32(bytes, p) === SIG.end && u16(bytes, p + 20) === bytes.length - p - END_BYTES) {
      at = p;
      break;
    }
  }
  if (at < 0) {
    throw new ForeignFormatError(
      'E_TRUNCATED',
      `zip archive of ${bytes.length} bytes has no end of central directory record (expected one at the end of the file): it is truncated`,
    );
  }
  const disk = u16(bytes, at + 4);
  const directoryDisk = u16(bytes, at + 6);
  const countOnDisk = u16(bytes, at + 8);
  let count = u16(bytes, at + 10);
  let size = u32(bytes, at + 12);
  let offset = u32(bytes, at + 16);
  let directoryEnd = at;
  if (at >= 20 && u32(bytes, at - 20) === SIG.locator64) {
    const z = readEnd64(bytes, at - 20);
    const agree = (narrow: number, full: number, wide: number) => narrow === full || narrow === wide;
    if (!agree(count, U16_FULL, z.count) || !agree(countOnDisk, U16_FULL, z.count) || !agree(size, U32_FULL, z.size) || !agree(offset, U32_FULL, z.offset)) {
      bad('end record disagrees with its zip64 end record');
    }
    ({ count, size, offset } = z);
    directoryEnd = z.at;
  } else {
    if (disk !== 0 || directoryDisk !== 0 || countOnDisk !== count) bad(`spans several disks (disk ${disk}, directory on disk ${directoryDisk}); expected a single file`);
    if (size === U32_FULL || offset === U32_FULL) bad('end record has zip64 markers but no zip64 locator before it');
  }
  if (offset + size !== directoryEnd) {
    bad(`central directory at offset ${offset} of ${size} bytes should end where the end record begins (offset ${directoryEnd})`);
  }
  if (count * CENTRAL_BYTES > size) bad(`claims ${count} records in a central directory of ${size} bytes`);
  return { offset, size, count };
}

function readEnd64(bytes: Uint8Array, locatorAt: number): { at: number; count: number; size: number; offset: number } {
  const disk = u32(bytes, locatorAt + 4);
  const at = u64(bytes, locatorAt + 8);
  const disks = u32(bytes, locatorAt + 16);
  if (disk !== 0 || disks > 1) bad(`zip64 locator names disk ${disk} of ${disks}; expected a single file`);
  if (!(at + 56 <= locatorAt) || u32(bytes, at) !== SIG.end64) bad(`zip64 locator points to offset ${at}, where no zip64 end record is`);
  const recordSize = u64(bytes, at + 4);
  if (recordSize < 44 || at + 12 + recordSize !== locatorAt) bad(`zip64 end record at offset ${at} says it is ${recordSize} bytes long; it should end at the locator (offset ${locatorAt})`);
  if (u32(bytes, at + 16) !== 0 || u32(bytes, at + 20) !== 0) bad('zip64 end record spans several disks; expected a single file');
  const countOnDisk = u64(bytes, at + 24);
  const count = u64(bytes, at + 32);
  if (countOnDisk !== count) bad(`zip64 end record counts ${countOnDisk} records on this disk of ${count}; expected a single file`);
  return { at, count, size: u64(bytes, at + 40), offset: u64(bytes, at + 48) };
}

// --- central directory entries -----------------------------------------------------------------

interface CentralEntry {
  name: string;
  nameBytes: Uint8Array;
  flags: number;
  crc32: number;
  size: number;
  headerOffset: number;
  zip64Sizes: boolean;
}

function readCentral(c: ByteCursor, directoryOffset: number): CentralEntry {
  const at = c.position;
  if (c.u32('a central directory signature') !== SIG.central) bad(`has no central directory record at offset ${at}`);
  c.take(4, 'the versions');
  const flags = c.u16('the flags');
  const method = c.u16('the compression method');
  c.take(4, 'the modification time');
  const crc = c.u32('the CRC-32');
  let compressed = c.u32('the compressed size');
  let size = c.u32('the size');
  const nameLength = c.u16('the name length');
  const extraLength = c.u16('the extra field length');
  const commentLength = c.u16('the comment length');
  let disk = c.u16('the disk number');
  c.take(6, 'the file attributes');
  let headerOffset = c.u32('the local header offset');
  const nameBytes = c.take(nameLength, 'a record name');
  const extra = c.take(extraLength, 'an extra field');
  c.take(commentLength, 'a record comment');

  const name = decodeName(nameBytes, at);
  const label = `record "${printable(name)}"`;
  checkFlags(flags, label);
  if (method !== 0) bad(`${label} is compressed (method ${method}${METHODS[method] ? `, ${METHODS[method]}` : ''}); expected stored records (method 0), as torch.save writes`);

  // zip64: the saturated fields come, in this order, from the zip64 extra field.
  const wide: [boolean, boolean, boolean, boolean] = [size === U32_FULL, compressed === U32_FULL, headerOffset === U32_FULL, disk === U16_FULL];
  if (wide.some(Boolean)) {
    const z = extraField(extra, ZIP64_EXTRA, label);
    if (!z) bad(`${label} has zip64 markers but no zip64 extra field`);
    const wanted = wide.filter(Boolean).length * 8 - (wide[3] ? 4 : 0);
    if (z.length < wanted) bad(`${label} has a zip64 extra field of ${z.length} bytes; expected ${wanted}`);
    const r = new ByteCursor(z, `the zip64 extra field of ${label}`, 0, z.length, 'E_TORCH_FORMAT');
    if (wide[0]) size = Number(r.u64('the size'));
    if (wide[1]) compressed = Number(r.u64('the compressed size'));
    if (wide[2]) headerOffset = Number(r.u64('the local header offset'));
    if (wide[3]) disk = r.u32('the disk number');
  }
  if (disk !== 0) bad(`${label} starts on disk ${disk}; expected a single file`);
  if (compressed !== size) bad(`${label} is stored but its compressed size ${compressed} differs from its size ${size}`);
  if (!Number.isSafeInteger(size) || !(headerOffset + LOCAL_BYTES <= directoryOffset)) {
    bad(`${label} has its local header at offset ${headerOffset}, outside the records (which end at offset ${directoryOffset})`);
  }
  return { name, nameBytes, flags, crc32: crc, size, headerOffset, zip64Sizes: wide[0] || wide[1] };
}

function checkFlags(flags: number, label: string): void {
  if (flags & 0x0001) bad(`${label} is encrypted`);
  if (flags & 0x0040) bad(`${label} uses strong encryption`);
  if (flags & 0x2000) bad(`${label} has masked (encrypted) headers`);
}

// --- local headers -----------------------------------------------------------------------------

function readLocal(bytes: Uint8Array, entry: CentralEntry, directoryOffset: number): ZipRecord {
  const label = `record "${printable(entry.name)}"`;
  const c = new ByteCursor(bytes, `the local header of zip ${label}`, entry.headerOffset, directoryOffset, 'E_TORCH_FORMAT');
  if (c.u32('the local header signature') !== SIG.local) bad(`${label} has no local header at offset ${entry.headerOffset}`);
  c.take(2, 'the version');
  const flags = c.u16('the flags');
  const method = c.u16('the compression method');
  c.take(4, 'the modification time');
  const crc = c.u32('the CRC-32');
  let compressed = c.u32('the compressed size');
  let size = c.u32('the size');
  const nameLength = c.u16('the name length');
  const extraLength = c.u16('the extra field length');
  const nameBytes = c.take(nameLength, 'the record name');
  const extra = c.take(extraLength, 'the extra field');
  if (!sameBytes(nameBytes, entry.nameBytes)) bad(`${label} is named "${printable(latin1(nameBytes))}" in its local header`);
  if (method !== 0 || (flags & 0x0009) !== (entry.flags & 0x0009)) bad(`${label} has a local header whose flags or method disagree with the central directory`);
  const dataOffset = c.position;
  const dataEnd = dataOffset + entry.size;
  if (dataEnd > directoryOffset) bad(`${label} has ${entry.size} bytes of data from offset ${dataOffset}, past the start of the central directory at ${directoryOffset}`);

  const local64 = extraField(extra, ZIP64_EXTRA, label);
  let end = dataEnd;
  if (flags & 0x0008) {
    end = checkDescriptor(bytes, dataEnd, directoryOffset, entry, entry.zip64Sizes || local64 !== undefined, label);
  } else {
    if (size === U32_FULL && compressed === U32_FULL && local64 && local64.length >= 16) {
      const r = new ByteCursor(local64, `the zip64 extra field of ${label}`, 0, local64.length, 'E_TORCH_FORMAT');
      size = Number(r.u64('the size'));
      compressed = Number(r.u64('the compressed size'));
    }
    if (crc !== entry.crc32 || size !== entry.size || compressed !== entry.size) {
      bad(`${label} has a local header (CRC-32 ${hex(crc)}, ${size} bytes) that disagrees with the central directory (CRC-32 ${hex(entry.crc32)}, ${entry.size} bytes)`);
    }
  }
  return { name: entry.name, headerOffset: entry.headerOffset, dataOffset, size: entry.size, crc32: entry.crc32, end };
}

/** The data descriptor after a record's data: optional signature, CRC-32, sizes (8 bytes each in zip64). */
function checkDescriptor(bytes: Uint8Array, at: number, limit: number, entry: CentralEntry, zip64: boolean, label: string): number {
  const width = zip64 ? 8 : 4;
  for (const signed of [true, false]) {
    const length = (signed ? 4 : 0) + 4 + 2 * width;
    if (at + length > limit) continue;
    let p = at;
    if (signed) {
      if (u32(bytes, p) !== SIG.descriptor) continue;
      p += 4;
    }
    const read = (q: number) => (width === 8 ? u64(bytes, q) : u32(bytes, q));
    if (u32(bytes, p) === entry.crc32 && read(p + 4) === entry.size && read(p + 4 + width) === entry.size) return at + length;
  }
  return bad(`${label} has no data descriptor matching the central directory (CRC-32 ${hex(entry.crc32)}, ${entry.size} bytes) at offset ${at}`);
}

function checkNoOverlap(records: ZipRecord[]): void {
  const sorted = [...records].sort((a, b) => a.headerOffset - b.headerOffset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const next = sorted[i]!;
    if (next.headerOffset < previous.end) {
      bad(`records "${printable(previous.name)}" (offsets ${previous.headerOffset} to ${previous.end}) and "${printable(next.name)}" (from ${next.headerOffset}) overlap`);
    }
  }
}

// --- names and fields ----------------------------------------------------------------------------

function decodeName(bytes: Uint8Array, at: number): string {
  let name: string;
  try {
    name = utf8.decode(bytes);
  } catch {
    return bad(`has a record name that is not UTF-8 at offset ${at}`);
  }
  const refuse = (why: string): never => bad(`record name "${printable(name)}" ${why}; expected a relative path such as "archive/data.pkl"`);
  if (name.length === 0) refuse('is empty');
  if (name.startsWith('/')) refuse('is absolute');
  if (name.includes('\\')) refuse('contains a backslash');
  if (/[\u0000-\u001f\u007f]/.test(name)) refuse('contains a control character');
  if (name.endsWith('/')) refuse('names a folder');
  if (name.split('/').some((part) => part === '..' || part === '.' || part === '')) refuse('has an empty, "." or ".." part');
  return name;
}

/** The data of the extra field with this id, checking that the fields tile the extra area exactly. */
function extraField(extra: Uint8Array, id: number, label: string): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length) bad(`${label} has a malformed extra field`);
    const fieldId = u16(extra, p);
    const length = u16(extra, p + 2);
    if (p + 4 + length > extra.length) bad(`${label} has an extra field (id ${hex(fieldId)}) running past the extra area`);
    if (fieldId === id) found = extra.subarray(p + 4, p + 4 + length);
    p += 4 + length;
  }
  return found;
}

function u16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)) + bytes[at + 3]! * 0x1000000;
}

function u64(bytes: Uint8Array, at: number): number {
  return u32(bytes, at + 4) * 0x100000000 + u32(bytes, at);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function printable(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text).slice(1, -1);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
