/**
 * Seeds taken apart and put back together, for mutations that edit one part of a container and
 * repair what would otherwise hide the edit: tar header checksums and sizes (and, when asked,
 * the manifest's sizes and sha256s), zip CRC-32s, sizes and offsets, the safetensors length
 * prefix. Without the repair nearly every edit dies at the first checksum and the checks behind
 * it are never exercised. Parsing is for well-formed seeds only (the readers themselves are what
 * is under test); the writers are simple on purpose.
 */
import { createHash } from 'node:crypto';
import { readZipDirectory, zipRecordBytes } from '../src/core/torch/zip-reader.js';
import { craftZip, type ZipOptions } from '../test/helpers/zip-craft.js';

export interface Part {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const cString = (bytes: Uint8Array) => latin1(bytes.subarray(0, bytes.indexOf(0) === -1 ? bytes.length : bytes.indexOf(0)));

export interface TarPart extends Part {
  /** Offsets of the entry's header block and first data byte in the archive. */
  headerAt: number;
  dataAt: number;
}

/** The regular files of a ustar archive our writer made, in order. */
export function splitTar(bytes: Uint8Array): TarPart[] {
  const parts: TarPart[] = [];
  for (let at = 0; at + BLOCK <= bytes.length; ) {
    const block = bytes.subarray(at, at + BLOCK);
    if (block.every((b) => b === 0)) break;
    const size = parseInt(cString(block.subarray(124, 136)).trim() || '0', 8);
    const type = String.fromCharCode(block[156]!);
    if (type === '0' || type === '\0') parts.push({ name: cString(block.subarray(0, 100)), data: bytes.slice(at + BLOCK, at + BLOCK + size), headerAt: at, dataAt: at + BLOCK });
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return parts;
}

export interface TarOptions {
  /** Entries preceded by a pax header restating path and size (as GNU tar --format=pax writes). */
  pax?: ReadonlySet<number>;
  /** Entries preceded by a GNU long name header ('L') restating the name. */
  longName?: ReadonlySet<number>;
  /** GNU's magic instead of POSIX ustar's. */
  gnu?: boolean;
  /** Zero blocks after the last entry (2 is the end marker; tar pads to a 10240-byte record). */
  endBlocks?: number;
}

function header(name: string, size: number, type: string, gnu: boolean): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, offset: number) => block.set(Buffer.from(text, 'latin1').subarray(0, BLOCK - offset), offset);
  put(name.slice(0, 100), 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(size.toString(8).padStart(11, '0') + '\0', 124);
  put('00000000000\0', 136);
  put(type, 156);
  put(gnu ? 'ustar  \0' : 'ustar\u000000', 257);
  put('        ', 148);
  const sum = block.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return block;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) > length) length++;
  return `${length}${body}`;
}

const padded = (data: Uint8Array) => [data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK)];

export function joinTar(parts: readonly Part[], options: TarOptions = {}): Uint8Array {
  const out: Uint8Array[] = [];
  parts.forEach((part, i) => {
    if (options.pax?.has(i)) {
      const data = Buffer.from(paxRecord('path', part.name) + paxRecord('size', String(part.data.length)) + paxRecord('mtime', '0'));
      out.push(header('PaxHeader/' + part.name, data.length, 'x', false), ...padded(data));
    }
    if (options.longName?.has(i)) {
      const data = Buffer.from(part.name + '\0');
      out.push(header('././@LongLink', data.length, 'L', true), ...padded(data));
    }
    out.push(header(part.name, part.data.length, '0', options.gnu ?? false), ...padded(part.data));
  });
  out.push(new Uint8Array(BLOCK * (options.endBlocks ?? 2)));
  return Buffer.concat(out);
}

/** The parts with manifest.json's list rewritten to their true sizes and sha256s; unchanged when the manifest is no JSON object. */
export function withFixedManifest(parts: readonly Part[]): Part[] {
  const index = parts.findIndex((p) => p.name === 'manifest.json');
  if (index === -1) return [...parts];
  let manifest: unknown;
  try {
    manifest = JSON.parse(Buffer.from(parts[index]!.data).toString('utf8'));
  } catch {
    return [...parts];
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) return [...parts];
  const entries = parts
    .filter((p) => p.name !== 'manifest.json')
    .map((p) => ({ name: p.name, size: p.data.length, sha256: createHash('sha256').update(p.data).digest('hex') }));
  const fixed = [...parts];
  fixed[index] = { name: 'manifest.json', data: Buffer.from(JSON.stringify({ ...manifest, entries }, null, 2)) };
  return fixed;
}

/** The records of a zip archive, in directory order. */
export function splitZip(bytes: Uint8Array): Part[] {
  return readZipDirectory(bytes, { maxZipRecords: 1_000_000 }).map((r) => ({ name: r.name, data: zipRecordBytes(bytes, r).slice() }));
}

export function joinZip(parts: readonly Part[], options: ZipOptions = {}): Uint8Array {
  return craftZip([...parts], options).bytes;
}

/** A safetensors file's header text and data buffer. */
export function splitSafetensors(bytes: Uint8Array): { header: string; data: Uint8Array } {
  const length = Number(Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64LE());
  return { header: Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8'), data: bytes.slice(8 + length) };
}

/** Header and data behind a length prefix that tells the truth (padded with spaces to 8 bytes, as writers do, when `align`). */
export function joinSafetensors(header: string, data: Uint8Array, align = true): Uint8Array {
  let text = Buffer.from(header, 'utf8');
  if (align) text = Buffer.concat([text, Buffer.alloc((8 - ((8 + text.length) % 8)) % 8, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([prefix, text, data]);
}
