/** Hand-made .npy and IDX files, byte by byte as their format descriptions say, for tests that need no NumPy. */

export interface NpyParts {
  descr: string;
  shape: number[];
  /** The data bytes (little-endian for float32). */
  data: Uint8Array;
  version?: 1 | 2 | 3;
  fortranOrder?: boolean;
  /** Replaces the whole header dict text (before padding), to make malformed headers. */
  header?: string;
}

export function npyHeaderText(parts: Pick<NpyParts, 'descr' | 'shape' | 'fortranOrder'>): string {
  const shape = parts.shape.length === 1 ? `(${parts.shape[0]},)` : `(${parts.shape.join(', ')})`;
  return `{'descr': '${parts.descr}', 'fortran_order': ${parts.fortranOrder ? 'True' : 'False'}, 'shape': ${shape}, }`;
}

/** magic, version, header length, the header padded with spaces to a multiple of 64 and a newline, then the data. */
export function npyBytes(parts: NpyParts): Uint8Array {
  const version = parts.version ?? 1;
  const prefix = version === 1 ? 10 : 12;
  let header = parts.header ?? npyHeaderText(parts);
  const total = prefix + header.length + 1;
  header = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const headerBytes = version === 3 ? Buffer.from(header, 'utf8') : Buffer.from(header, 'latin1');
  const out = Buffer.alloc(prefix + headerBytes.length + parts.data.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(out, 0);
  if (version === 1) out.writeUInt16LE(headerBytes.length, 8);
  else out.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(out, prefix);
  Buffer.from(parts.data).copy(out, prefix + headerBytes.length);
  return new Uint8Array(out);
}

export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i += 1) out.writeFloatLE(values[i]!, 4 * i);
  return new Uint8Array(out);
}

/** An IDX file of unsigned bytes: 00 00 08 rank, big-endian uint32 dimensions, the data. */
export function idxBytes(dims: number[], data: ArrayLike<number>): Uint8Array {
  const out = Buffer.alloc(4 + 4 * dims.length + data.length);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  out.set(Array.from(data), 4 + 4 * dims.length);
  return new Uint8Array(out);
}
