/**
 * PNG and JPEG images as a model's 8-bit input values, decoded by sharp (libvips).
 *
 * - Colour: decoded to 8-bit sRGB (an ICC profile is applied, 16-bit images are reduced to 8
 *   bits, a grey image gives three equal channels), the alpha channel dropped (the colour values
 *   are used as stored, not blended onto a background), EXIF orientation not applied.
 * - Channels: a 3-channel model takes R, G, B; a 1-channel model takes the luma of Pillow's
 *   `convert('L')` (ITU-R 601-2: L = (19595 R + 38470 G + 7471 B + 32768) >> 16, exactly the grey
 *   value for a grey image). Other channel counts cannot come from an image.
 * - Size: an image whose width and height differ from the model's is refused, unless `resize`:
 *   then it is stretched to the model's size (aspect ratio not kept) with libvips's linear
 *   (bilinear) kernel, which averages over the source pixels when shrinking.
 */
import type { Sharp } from 'sharp';
import { EnvironmentError } from '../../core/errors.js';
import { luma } from '../../core/luma.js';

export type ImageFormat = 'png' | 'jpeg';

/** What a file of each format starts with. */
const SIGNATURES: Record<ImageFormat, { label: string; bytes: number[] }> = {
  png: { label: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  jpeg: { label: 'JPEG', bytes: [0xff, 0xd8, 0xff] },
};

/** One example as the model takes it: height, width, channels (NHWC). */
export interface ImageTarget {
  height: number;
  width: number;
  channels: number;
}

/** The image's 8-bit values, height × width × channels of `target`, row after row (HWC). */
export async function decodeImage(
  bytes: Uint8Array,
  name: string,
  format: ImageFormat,
  target: ImageTarget,
  options: { resize: boolean },
): Promise<Uint8Array> {
  const { label, bytes: signature } = SIGNATURES[format];
  if (!signature.every((b, i) => bytes[i] === b)) {
    throw invalid(name, `not a ${label} image: expected the signature ${hex(signature)}, received ${hex([...bytes.subarray(0, signature.length)])}`);
  }
  if (target.channels !== 1 && target.channels !== 3) {
    throw invalid(name, `the model takes ${target.channels} channels; an image gives 1 (grey) or 3 (RGB): pass a .npy array instead`);
  }
  const sharp = await loadSharp();
  const decode = (): Sharp => sharp(bytes, { failOn: 'warning' });
  const { width, height } = await decoding(name, label, () => decode().metadata());
  if (width === undefined || height === undefined) throw invalid(name, `the ${label} image has no size`);
  const fits = width === target.width && height === target.height;
  if (!fits && !options.resize) {
    throw invalid(
      name,
      `the image is ${width}×${height} (width×height); the model takes ${target.width}×${target.height}: pass --resize to stretch it to that size`,
    );
  }
  let pipeline = decode();
  if (!fits) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false });
  const { data, info } = await decoding(name, label, () =>
    pipeline.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
  );
  if (info.channels !== 3 || info.width !== target.width || info.height !== target.height) {
    throw invalid(name, `decoded to ${info.width}×${info.height} with ${info.channels} channels, expected ${target.width}×${target.height} RGB`);
  }
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return target.channels === 3 ? Uint8Array.from(rgb) : luma(rgb);
}

type SharpFactory = typeof import('sharp').default;

/** sharp is loaded only when an image is read, so .npy and IDX inputs need no libvips. */
async function loadSharp(): Promise<SharpFactory> {
  try {
    return (await import('sharp')).default;
  } catch (error) {
    throw new EnvironmentError('E_IO', `the image library sharp cannot be loaded (${(error as Error).message.split('\n')[0]}); .npy and IDX inputs still work`, [], {
      cause: error,
    });
  }
}

/** Runs a libvips step; its failure (corrupt or truncated data) becomes E_DATA_INVALID naming the file. */
async function decoding<T>(name: string, label: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw invalid(name, `cannot decode the ${label} image: ${reason}`);
  }
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function invalid(name: string, what: string): EnvironmentError {
  return new EnvironmentError('E_DATA_INVALID', `${name}: ${what}`);
}
