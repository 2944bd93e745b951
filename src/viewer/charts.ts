/**
 * uPlot wrappers: line charts of several series over a shared x, and histogram bars. Each chart
 * sits in a container with `data-chart="<name>"` and records what it plots in the test hooks.
 * uPlot needs a pixel width, so a chart is drawn once its container is laid out and redrawn at
 * its new width when that changes; colours come from the theme's custom properties.
 */
import uPlot from 'uplot';
import { markerPaths, type Marker } from './chart-markers.js';
import { h } from './dom.js';
import { number } from './format.js';
import { hooks, type ChartData } from './hooks.js';
import { cssColor, seriesColors } from './theme.js';

export interface LineSeries {
  label: string;
  values: (number | null)[];
  /** Dashed, e.g. the validation counterpart of a training series. */
  dashed?: boolean;
  /** A colour index into the palette (default: the series' position). */
  color?: number;
  /** A dash pattern of its own (overrides `dashed`). */
  dash?: number[];
  /** The points' shape (default: circles). */
  marker?: Marker;
  /** Line width and point size in CSS pixels (default 2 and 6). */
  width?: number;
  pointSize?: number;
  /** A translucent line (its points stay opaque), for a wide band under other series. */
  translucent?: boolean;
}

export interface LineChartOptions {
  x: number[];
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** Show x as whole numbers (epochs). */
  integerX?: boolean;
}

const HEIGHT = 260;
const live: { plot?: uPlot; observer: ResizeObserver }[] = [];

/** Removes every chart drawn so far (before a page renders again) and clears their hook data. */
export function destroyCharts(): void {
  for (const chart of live.splice(0)) {
    chart.observer.disconnect();
    chart.plot?.destroy();
  }
  hooks.charts = {};
}

export function lineChart(name: string, options: LineChartOptions): HTMLElement {
  const colors = seriesColors();
  const data: ChartData = { series: options.series.map((s) => s.label), x: options.x, y: options.series.map((s) => s.values) };
  const series: uPlot.Series[] = [
    { label: options.xLabel, value: (_u, v, _s, idx) => (idx == null ? '' : v == null ? '–' : options.integerX ? String(v) : number(v)) },
    ...options.series.map((s, i) => {
      const stroke = colors[(s.color ?? i) % colors.length]!;
      return {
        label: s.label,
        // the palette is #rrggbb, so an alpha byte appended makes it translucent
        stroke: s.translucent ? `${stroke}70` : stroke,
        width: s.width ?? 2,
        dash: s.dash ?? (s.dashed ? [6, 4] : undefined),
        points: { show: true, size: s.pointSize ?? 6, fill: stroke, stroke, ...(s.marker ? { paths: markerPaths(s.marker) } : {}) },
        spanGaps: true,
        value: (_u: uPlot, v: number | null, _s: number, idx: number | null) => (idx == null ? '' : number(v)),
      };
    }),
  ];
  return chart(name, data, `${options.yLabel} over ${options.xLabel}: ${data.series.join(', ')}`, {
    series,
    axes: axes(options.xLabel, options.yLabel, options.integerX),
    scales: { x: { time: false } },
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  }, [options.x, ...options.series.map((s) => s.values)]);
}

/** Bars of a histogram (counts between consecutive edges), plotted at the bins' centres. */
export function histogramChart(name: string, histogram: { edges: number[]; counts: number[] }, label: string): HTMLElement {
  const centres = histogram.counts.map((_, i) => (histogram.edges[i]! + histogram.edges[i + 1]!) / 2);
  const color = seriesColors()[0]!;
  const data: ChartData = { series: ['count'], x: centres, y: [histogram.counts] };
  const bars = uPlot.paths.bars!({ size: [0.92, Infinity], align: 0 });
  return chart(name, data, `histogram of ${label}: ${histogram.counts.length} bins from ${number(histogram.edges[0])} to ${number(histogram.edges.at(-1))}`, {
    series: [
      { label: 'value', value: (_u, v, _s, idx) => (idx == null ? '' : v == null ? '–' : number(v)) },
      // the palette is #rrggbb (styles.css), so an alpha byte appended gives the translucent fill
      { label: 'count', stroke: color, fill: `${color}b0`, width: 1, paths: bars, points: { show: false }, value: (_u, v, _s, idx) => (idx == null ? '' : number(v)) },
    ],
    axes: axes('value', 'count'),
    scales: { x: { time: false, range: (_u, min, max) => padRange(min, max, histogram) } },
    legend: { live: true },
  }, [centres, histogram.counts]);
}

/** A histogram's x range: its edges, or a unit around a single value. */
function padRange(min: number, max: number, histogram: { edges: number[] }): [number, number] {
  const lo = histogram.edges[0] ?? min;
  const hi = histogram.edges.at(-1) ?? max;
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

function axes(xLabel: string, yLabel: string, integerX = false): uPlot.Axis[] {
  const text = cssColor('--muted');
  const grid = cssColor('--grid');
  const axis = (label: string): uPlot.Axis => ({
    label,
    stroke: text,
    labelFont: '600 12px system-ui, sans-serif',
    font: '12px system-ui, sans-serif',
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  });
  return [
    { ...axis(xLabel), ...(integerX ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], values: (_u: uPlot, ticks: number[]) => ticks.map(String) } : {}) },
    { ...axis(yLabel), size: 78, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => number(t)) },
  ];
}

/**
 * The legend names the series (with their colours) while the pointer is away and gives the values
 * under it while it is over the chart: the value functions above return '' with no point under the
 * cursor, and this class hides the x entry and the colons then (styles.css).
 */
function hovering(container: HTMLElement): (u: uPlot) => void {
  return (u) => void container.classList.toggle('hovering', u.cursor.idx != null);
}

function chart(name: string, data: ChartData, description: string, options: Omit<uPlot.Options, 'width' | 'height'>, aligned: uPlot.AlignedData): HTMLElement {
  hooks.charts[name] = data;
  const container = h('figure', { class: 'chart', 'data-chart': name, role: 'img', 'aria-label': description });
  const entry: (typeof live)[number] = {
    observer: new ResizeObserver(() => {
      const width = Math.floor(container.clientWidth);
      if (width <= 0) return;
      if (!entry.plot) entry.plot = new uPlot({ ...options, width, height: HEIGHT, hooks: { setLegend: [hovering(container)] } }, aligned, container);
      else if (entry.plot.width !== width) entry.plot.setSize({ width, height: HEIGHT });
    }),
  };
  entry.observer.observe(container);
  live.push(entry);
  return container;
}
