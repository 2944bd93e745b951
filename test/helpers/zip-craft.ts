/**
 * Hand-made zip archives for bad-input tests: stored records, local headers and central
 * directory written field by field (CRC-32 from node:zlib, independent of the reader's own), with
 * the offsets of every structure returned so tests can damage exactly one field.
 */
import { crc32 } from 'node:zlib';
import { concat, u32, u64 } from './pickle-craft.js';

export interface CraftRecord {
  name: string;
  data: Uint8Array;
}

export interface ZipLayout {
  bytes: Uint8Array;
  /** Offset of each record's local header, in order. */
  local: number[];
  /** Offset of each record's central directory header, in order. */
  central: number[];
  /** Offset of the end of central directory record. */
  end: number;
}

export interface ZipOptions {
  /** Write every size and offset through zip64 extra fields, with a zip64 end record and locator. */
  zip64?: boolean;
  /** Put a data descriptor (with signature) after each record, sizes and CRC zero in the local header, as torch's writer does. */
  descriptors?: boolean;
}

const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];

export function craftZip(records: CraftRecord[], options: ZipOptions = {}): ZipLayout {
  const parts: Uint8Array[] = [];
  let at = 0;
  const add = (bytes: number[] | Uint8Array) => {
    const part = Uint8Array.from(bytes);
    parts.push(part);
    at += part.length;
  };
  const local: number[] = [];
  const entries: { name: Uint8Array; crc: number; size: number; offset: number }[] = [];
  const flags = 0x0800 | (options.descriptors ? 0x0008 : 0);
  for (const record of records) {
    const name = new TextEncoder().encode(record.name);
    const crc = crc32(record.data);
    const size = record.data.length;
    local.push(at);
    entries.push({ name, crc, size, offset: at });
    const extra = options.zip64 ? [...u16(1), ...u16(16), ...u64(size), ...u64(size)] : [];
    const sizeField = options.zip64 ? u32(0xffffffff) : u32(options.descriptors ? 0 : size);
    add([...u32(0x04034b50), ...u16(45), ...u16(flags), ...u16(0), ...u16(0), ...u16(0x21), ...u32(options.descriptors ? 0 : crc), ...sizeField, ...sizeField, ...u16(name.length), ...u16(extra.length)]);
    add(name);
    add(extra);
    add(record.data);
    if (options.descriptors) {
      add([...u32(0x08074b50), ...u32(crc), ...(options.zip64 ? [...u64(size), ...u64(size)] : [...u32(size), ...u32(size)])]);
    }
  }
  const directoryOffset = at;
  const central: number[] = [];
  for (const e of entries) {
    central.push(at);
    const extra = options.zip64 ? [...u16(1), ...u16(24), ...u64(e.size), ...u64(e.size), ...u64(e.offset)] : [];
    const wide = (n: number) => (options.zip64 ? u32(0xffffffff) : u32(n));
    add([
      ...u32(0x02014b50), ...u16(45), ...u16(45), ...u16(flags), ...u16(0), ...u16(0), ...u16(0x21), ...u32(e.crc),
      ...wide(e.size), ...wide(e.size), ...u16(e.name.length), ...u16(extra.length), ...u16(0), ...u16(0), ...u16(0), ...u32(0), ...wide(e.offset),
    ]);
    add(e.name);
    add(extra);
  }
  const directorySize = at - directoryOffset;
  if (options.zip64) {
    const end64 = at;
    add([...u32(0x06064b50), ...u64(44), ...u16(45), ...u16(45), ...u32(0), ...u32(0), ...u64(entries.length), ...u64(entries.length), ...u64(directorySize), ...u64(directoryOffset)]);
    add([...u32(0x07064b50), ...u32(0), ...u64(end64), ...u32(1)]);
  }
  const end = at;
  const count = options.zip64 ? 0xffff : entries.length;
  add([...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(count), ...u16(count), ...(options.zip64 ? u32(0xffffffff) : u32(directorySize)), ...(options.zip64 ? u32(0xffffffff) : u32(directoryOffset)), ...u16(0)]);
  return { bytes: concat(parts), local, central, end };
}

/** A torch.save-shaped zip: `archive/` + data.pkl, version, and data/<key> for each storage. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}, options: ZipOptions & { folder?: string; extra?: CraftRecord[] } = {}): ZipLayout {
  const folder = options.folder ?? 'archive';
  const records: CraftRecord[] = [
    { name: `${folder}/data.pkl`, data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `${folder}/data/${key}`, data })),
    { name: `${folder}/version`, data: new TextEncoder().encode('3\n') },
    ...(options.extra ?? []),
  ];
  return craftZip(records, options);
}

export function setU16(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = value & 0xff;
  copy[at + 1] = (value >> 8) & 0xff;
  return copy;
}

export function setU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy.set(u32(value), at);
  return copy;
}
