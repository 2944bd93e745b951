import { EnvironmentError } from '../../core/errors.js';
import type { Split } from '../../tfjs/data/types.js';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const RECORD = 1 + 3 * PIXELS;

/**
 * Parses CIFAR-10 binary batches: records of one label byte then 3072 bytes, the red, green
 * and blue planes (CHW). Images are returned NHWC.
 */
export function parseCifarBatches(batches: { file: string; bytes: Uint8Array }[]): Split {
  let count = 0;
  for (const { file, bytes } of batches) {
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new EnvironmentError(
        'E_DATA_INVALID',
        `${file}: not a CIFAR-10 binary batch: expected a multiple of ${RECORD} bytes, received ${bytes.length}`,
      );
    }
    count += bytes.length / RECORD;
  }
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const { file, bytes } of batches) {
    for (let offset = 0; offset < bytes.length; offset += RECORD, n += 1) {
      const label = bytes[offset]!;
      if (label > 9) {
        throw new EnvironmentError('E_DATA_INVALID', `${file}: record ${offset / RECORD} has label ${label}, expected 0-9`);
      }
      labels[n] = label;
      const out = n * 3 * PIXELS;
      for (let p = 0; p < PIXELS; p += 1) {
        for (let c = 0; c < 3; c += 1) images[out + p * 3 + c] = bytes[offset + 1 + c * PIXELS + p]!;
      }
    }
  }
  return { images, labels, count };
}
