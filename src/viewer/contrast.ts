/**
 * WCAG 2 contrast on the colours the viewer sets itself (heat-map cells): a background mixed in
 * script rather than by CSS, so the text colour on it can be chosen for legibility per cell.
 */
export type Rgb = [number, number, number];

/** `#rrggbb` (the palette in styles.css) as channels 0-255. */
export function parseHex(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) throw new Error(`expected a #rrggbb colour, got ${JSON.stringify(hex)}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** `share` of `a` over `b`, channel by channel: what CSS `color-mix(in srgb, a share, b)` paints. */
export function mix(a: Rgb, b: Rgb, share: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! * share + b[i]! * (1 - share))) as Rgb;
}

export function cssRgb(c: Rgb): string {
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

function luminance(c: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Black or white, whichever stands out more on `background`. Pure black and white: with them the
 * better one reaches at least 4.58:1 on any colour, where the themes' near-black text drops to
 * about 4.1 on mid-tones.
 */
export function textOn(background: Rgb): Rgb {
  const black: Rgb = [0, 0, 0];
  const white: Rgb = [255, 255, 255];
  return contrast(white, background) >= contrast(black, background) ? white : black;
}
