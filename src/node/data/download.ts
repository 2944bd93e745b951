import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { writeFileAtomic } from '../files/atomic-file.js';
import { EnvironmentError } from '../../core/errors.js';
import { DOWNLOAD_MIRRORS, type DatasetSpec } from './catalog.js';

const TIMEOUT_MS = 60_000;

/**
 * Downloads a dataset from its public mirror into `<cacheDir>/<folder>/` and returns that folder.
 * Each file goes to a temporary name first and is renamed when complete, so an interrupted
 * download never looks like a dataset. Archives are unpacked keeping only the expected files.
 */
export async function downloadDataset(spec: DatasetSpec, cacheDir: string): Promise<string> {
  const mirror = DOWNLOAD_MIRRORS[spec.name];
  const target = path.join(cacheDir, spec.folder);
  await mkdir(target, { recursive: true });
  for (const file of mirror.files) {
    const url = new URL(file, mirror.baseUrl).href;
    const bytes = await fetchBytes(url);
    if (file.endsWith('.tar.gz')) await unpackExpected(bytes, spec, target, url);
    else await writeFileAtomic(path.join(target, file), [bytes]);
  }
  return target;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new EnvironmentError('E_IO', `download of ${url} failed: ${cause}`, [], { cause: error });
  }
  if (!response.ok) throw new EnvironmentError('E_IO', `download of ${url} failed: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Extracts the regular files whose base name the dataset expects; everything else is skipped. */
async function unpackExpected(archive: Uint8Array, spec: DatasetSpec, target: string, url: string): Promise<void> {
  const wanted = new Set(spec.files);
  const found = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const name = path.posix.basename(header.name);
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      if (header.type === 'file' && wanted.has(name)) chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      if (chunks.length > 0) found.set(name, Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  await pipeline(Readable.from([archive]), createGunzip(), extract);
  const missing = spec.files.filter((f) => !found.has(f));
  if (missing.length > 0) throw new EnvironmentError('E_DATA_INVALID', `${url} lacks ${missing.join(', ')}`);
  for (const [name, bytes] of found) await writeFileAtomic(path.join(target, name), [bytes]);
}
