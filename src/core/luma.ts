/**
 * RGB to grey as archbundle's inputs do it, in one place for Node (`archbundle predict`'s images,
 * through sharp) and the browser (the viewer's uploaded images, through a canvas).
 */

/** Pillow's convert('L'): ITU-R 601-2 luma in 16-bit fixed point, rounded; exactly the grey value for a grey image. */
export function luma(rgb: Uint8Array): Uint8Array {
  const grey = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = (rgb[3 * i]! * 19595 + rgb[3 * i + 1]! * 38470 + rgb[3 * i + 2]! * 7471 + 0x8000) >> 16;
  }
  return grey;
}
