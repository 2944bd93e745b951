import { createReadStream } from 'node:fs';
import { EnvironmentError } from '../errors.js';

/** A bundle file as a stream of chunks, opened eagerly so a missing file is a clear E_IO error. */
export async function openBundleFile(file: string): Promise<AsyncIterable<Uint8Array>> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) =>
      reject(new EnvironmentError('E_IO', `cannot open bundle ${file}: ${error.message}`, [], { cause: error })),
    );
  });
  return stream;
}
