/**
 * Point markers of other shapes than uPlot's circles, so that series drawn on top of each other
 * (bundles of one run share their early epochs) stay told apart by shape as well as colour.
 */
import type uPlot from 'uplot';

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond';

/** The glyph of each marker, for labels that name a series by its shape. */
export const MARKER_GLYPHS: Record<Marker, string> = { circle: '●', square: '■', triangle: '▲', diamond: '◆' };

/** A uPlot `points.paths` drawing `marker` at each point of the series (canvas pixels). */
export function markerPaths(marker: Marker): uPlot.Series.Points.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const series = u.series[seriesIdx]!;
    const r = (((series.points?.size as number | undefined) ?? 7) / 2) * devicePixelRatio;
    const path = new Path2D();
    for (let i = idx0; i <= idx1; i++) {
      const y = u.data[seriesIdx]![i];
      if (y == null) continue;
      const cx = u.valToPos(u.data[0]![i]!, 'x', true);
      const cy = u.valToPos(y, series.scale ?? 'y', true);
      shape(path, marker, cx, cy, r);
    }
    return { fill: path, stroke: path };
  };
}

function shape(path: Path2D, marker: Marker, x: number, y: number, r: number): void {
  switch (marker) {
    case 'circle':
      path.moveTo(x + r, y);
      path.arc(x, y, r, 0, Math.PI * 2);
      return;
    case 'square':
      path.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      return;
    case 'triangle':
      path.moveTo(x, y - r * 1.15);
      path.lineTo(x + r, y + r * 0.75);
      path.lineTo(x - r, y + r * 0.75);
      path.closePath();
      return;
    case 'diamond':
      path.moveTo(x, y - r * 1.2);
      path.lineTo(x + r * 1.2, y);
      path.lineTo(x, y + r * 1.2);
      path.lineTo(x - r * 1.2, y);
      path.closePath();
  }
}
