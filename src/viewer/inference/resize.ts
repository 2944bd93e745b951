/**
 * Stretching an image to a model's resolution the way `archbundle predict --resize` does through
 * libvips (sharp's `resize(w, h, { fit: 'fill', kernel: 'linear' })`), so that an uploaded image
 * of another size gives the browser nearly the values predict computes. Pure: 8-bit HWC in, 8-bit
 * HWC out; each axis on its own, as libvips's `vips_resize` does it:
 *
 * - shrinking by more than 2: first a box average over whole blocks (`vips_shrink`, block size
 *   floor(factor / 2), the last block cut by the edge), then the remaining factor with a linear
 *   (triangle) kernel stretched by that factor (`vips_reduce`), which averages the source pixels;
 * - enlarging, after any shrinking: bilinear interpolation of both axes (`vips_affine` with
 *   libvips's bilinear interpolator, output pixel i sampled at i / factor - 0.5), edges repeated.
 *
 * libvips computes in fixed point; this computes in floating point, so a value may differ from
 * predict's by a level or two (at most 2 of 255 on the sizes test/viewer-evaluation.test.ts
 * checks against sharp).
 */

/** `pixels` (height × width × channels bytes) stretched to `toHeight` × `toWidth`. */
export function resizeLinear(
  pixels: Uint8Array,
  [height, width, channels]: readonly [number, number, number],
  [toHeight, toWidth]: readonly [number, number],
): Uint8Array {
  // shrinking first, vertical then horizontal, as vips_resize orders its steps
  const h = Math.min(height, toHeight);
  const w = Math.min(width, toWidth);
  const rows = toHeight < height ? shrinkAxis(pixels, height, width * channels, 1, toHeight) : pixels;
  const shrunk = toWidth < width ? shrinkAxis(rows, width, channels, h, toWidth) : rows;
  if (toHeight <= height && toWidth <= width) return shrunk;
  // then one affine enlargement of both axes: an axis already at its size is still sampled half a
  // pixel up (i - 0.5), as libvips does (measured against sharp)
  const taller = enlarge(shrunk, h, w * channels, 1, toHeight, toHeight / h);
  return enlarge(taller, w, channels, toHeight, toWidth, toWidth / w);
}

/**
 * Shrinks along one axis of a row-major array seen as `outer` blocks of `length` positions of
 * `stride` values each (for rows: outer 1, stride width×channels; for columns: outer height,
 * stride channels).
 */
function shrinkAxis(values: Uint8Array, length: number, stride: number, outer: number, to: number): Uint8Array {
  let source = values;
  let size = length;
  let scale = to / length;
  const block = Math.max(1, Math.floor(1 / (scale * 2)));
  if (block > 1) {
    source = boxShrink(source, size, stride, outer, block);
    size = Math.ceil(size / block);
    scale *= block;
  }
  return reduce(source, size, stride, outer, to, 1 / scale);
}

function boxShrink(values: Uint8Array, length: number, stride: number, outer: number, block: number): Uint8Array {
  const size = Math.ceil(length / block);
  const out = new Uint8Array(outer * size * stride);
  for (let o = 0; o < outer; o += 1) {
    for (let i = 0; i < size; i += 1) {
      const from = i * block;
      const to = Math.min(length, from + block);
      for (let s = 0; s < stride; s += 1) {
        let sum = 0;
        for (let j = from; j < to; j += 1) sum += values[(o * length + j) * stride + s]!;
        out[(o * size + i) * stride + s] = Math.round(sum / (to - from));
      }
    }
  }
  return out;
}

/** Triangle kernel over `factor` source pixels each side of an output pixel's centre. */
function reduce(values: Uint8Array, length: number, stride: number, outer: number, to: number, factor: number): Uint8Array {
  const out = new Uint8Array(outer * to * stride);
  const reach = Math.ceil(factor);
  for (let i = 0; i < to; i += 1) {
    const centre = (i + 0.5) * factor - 0.5;
    const taps: { index: number; weight: number }[] = [];
    let total = 0;
    for (let j = Math.floor(centre) - reach; j <= Math.ceil(centre) + reach; j += 1) {
      const weight = Math.max(0, 1 - Math.abs(j - centre) / factor);
      if (weight === 0) continue;
      taps.push({ index: Math.min(length - 1, Math.max(0, j)), weight });
      total += weight;
    }
    for (let o = 0; o < outer; o += 1) {
      for (let s = 0; s < stride; s += 1) {
        let sum = 0;
        for (const tap of taps) sum += values[(o * length + tap.index) * stride + s]! * tap.weight;
        out[(o * to + i) * stride + s] = Math.round(sum / total);
      }
    }
  }
  return out;
}

function enlarge(values: Uint8Array, length: number, stride: number, outer: number, to: number, scale: number): Uint8Array {
  const out = new Uint8Array(outer * to * stride);
  for (let i = 0; i < to; i += 1) {
    // where libvips's bilinear affine samples output pixel i (measured against sharp: i / scale - 0.5)
    const position = Math.min(length - 1, Math.max(0, i / scale - 0.5));
    const left = Math.floor(position);
    const right = Math.min(length - 1, left + 1);
    const t = position - left;
    for (let o = 0; o < outer; o += 1) {
      for (let s = 0; s < stride; s += 1) {
        const a = values[(o * length + left) * stride + s]!;
        const b = values[(o * length + right) * stride + s]!;
        out[(o * to + i) * stride + s] = Math.round(a + (b - a) * t);
      }
    }
  }
  return out;
}
