/**
 * Hand-made tar bytes for bad-input tests: ustar headers written byte by byte, so tests can
 * build archives tar-stream would refuse to write (links, devices, `..` paths, bad sizes).
 */
import { createHash } from 'node:crypto';
import { extract } from 'tar-stream';

export interface CraftEntry {
  name: string;
  data?: Uint8Array;
  /** ustar type flag character; '0' is a regular file. */
  type?: string;
  linkname?: string;
  /** Size to write in the header when it must differ from data.length. */
  size?: number;
  /** The 12 raw bytes of the size field, when it must hold something `size` can't say (e.g. only NULs). */
  sizeField?: Uint8Array;
  /** The 8 bytes of magic and version; POSIX ustar by default, GNU_MAGIC for GNU headers. */
  magic?: string;
  /** Raw text to write at header offsets (after the other fields, before the checksum). */
  fields?: Record<number, string>;
}

/** What GNU tar writes over the ustar magic and version fields. */
export const GNU_MAGIC = 'ustar  \0';

/** The data of a pax extended header: one `"<length> <key>=<value>\n"` record per pair, the length in bytes covering the record. */
export function paxData(records: [string, string][]): Uint8Array {
  return Buffer.concat(
    records.map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      const bytes = Buffer.byteLength(body);
      let length = bytes + 1;
      while (String(length).length + bytes > length) length++;
      return Buffer.from(`${length}${body}`);
    }),
  );
}

export function header(entry: CraftEntry): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, offset: number) => block.set(Buffer.from(text, 'latin1'), offset);
  put(entry.name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  if (entry.sizeField) block.set(entry.sizeField, 124);
  else put((entry.size ?? entry.data?.length ?? 0).toString(8).padStart(11, '0') + '\0', 124);
  put('00000000000\0', 136);
  put(entry.type ?? '0', 156);
  if (entry.linkname) put(entry.linkname, 157);
  put(entry.magic ?? 'ustar\u000000', 257);
  for (const [offset, text] of Object.entries(entry.fields ?? {})) put(text, Number(offset));
  put('        ', 148);
  const sum = block.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return block;
}

/** A tar of the entries, each padded to 512 bytes, then the two zero blocks (unless `end` is false). */
export function craftTar(entries: CraftEntry[], options: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    const data = entry.data ?? new Uint8Array(0);
    parts.push(data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  if (options.end !== false) parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

/** The entries of a tar, in order (read with tar-stream, for well-formed archives made by our writer). */
export async function splitTar(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const entries = new Map<string, Uint8Array>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        entries.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(Buffer.from(bytes));
  await done;
  return entries;
}

export function jsonBytes(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value, null, 2));
}

export function parseJson(bytes: Uint8Array | undefined): any {
  return JSON.parse(Buffer.from(bytes!).toString('utf8'));
}

/** Rebuilds a bundle from entries, rewriting manifest.json's sizes and digests to match (so only the intended defect remains). */
export function rebuild(entries: Map<string, Uint8Array>, options: { fixManifest?: boolean } = {}): Uint8Array {
  const list = [...entries].map(([name, data]) => ({ name, data }));
  if (options.fixManifest !== false && entries.has('manifest.json')) {
    const manifest = parseJson(entries.get('manifest.json'));
    manifest.entries = list
      .filter((e) => e.name !== 'manifest.json')
      .map((e) => ({ name: e.name, size: e.data.length, sha256: createHash('sha256').update(e.data).digest('hex') }));
    list.find((e) => e.name === 'manifest.json')!.data = jsonBytes(manifest);
  }
  return craftTar(list);
}
