/**
 * An uploaded PNG or JPEG as the model's 8-bit input, following `archbundle predict`
 * (src/node/inputs/images.ts) as far as a browser allows:
 *
 * - Decoded by the browser (createImageBitmap) to 8-bit sRGB; an ICC profile is applied, as
 *   sharp applies it, and EXIF orientation is not (`imageOrientation: 'none'`), as in predict.
 * - Alpha is dropped without blending, as in predict, except that a canvas keeps colours
 *   premultiplied: the colour of a partly transparent pixel may be off by a few levels, and a
 *   fully transparent one reads as black.
 * - A 3-channel model takes R, G, B; a 1-channel model the same Pillow luma as predict.
 * - The image is drawn to a canvas at its own size and read pixel for pixel; one of another size
 *   than the model's is then stretched to it (aspect ratio not kept, as predict's --resize) by
 *   resize.ts, which follows libvips's linear kernel to within a level or two. An image of the
 *   model's size gives exactly predict's values.
 */
import { EnvironmentError } from '../../core/errors.js';
import { luma } from '../../core/luma.js';
import { resizeLinear } from './resize.js';

export interface DecodedImage {
  /** height × width × channels bytes, HWC. */
  bytes: Uint8Array;
  /** The image's own width and height (it was stretched when they differ from the model's). */
  width: number;
  height: number;
}

/** `file` as `height × width × channels` bytes for a model taking that shape. */
export async function imageBytes(file: Blob, name: string, [height, width, channels]: readonly [number, number, number]): Promise<DecodedImage> {
  if (channels !== 1 && channels !== 3) {
    throw invalid(name, `the model takes ${channels} channels; an image gives 1 (grey) or 3 (RGB)`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
  } catch (error) {
    throw invalid(name, `cannot decode the image (PNG or JPEG expected): ${(error as Error).message}`);
  }
  try {
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new EnvironmentError('E_IO', 'this browser gives no 2-D canvas to decode images with');
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const own = new Uint8Array(bitmap.width * bitmap.height * 3);
    for (let i = 0, j = 0; i < own.length; i += 3, j += 4) {
      own[i] = rgba[j]!;
      own[i + 1] = rgba[j + 1]!;
      own[i + 2] = rgba[j + 2]!;
    }
    // as predict: stretched in RGB, then made grey for a 1-channel model
    const rgb = bitmap.width === width && bitmap.height === height ? own : resizeLinear(own, [bitmap.height, bitmap.width, 3], [height, width]);
    return { bytes: channels === 3 ? rgb : luma(rgb), width: bitmap.width, height: bitmap.height };
  } finally {
    bitmap.close();
  }
}

function invalid(name: string, what: string): EnvironmentError {
  return new EnvironmentError('E_DATA_INVALID', `${name}: ${what}`);
}
