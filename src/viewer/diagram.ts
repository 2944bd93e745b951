/**
 * The architecture diagram: the layers top to bottom as boxes (name, type, output shape), a short
 * arrow where a layer feeds the next, and an arc in the left margin for every other connection,
 * so residual shortcuts and skips stand out. One SVG from `SummaryLayer.inputs`; arcs that
 * overlap take separate lanes. Colours come from styles.css by the layer's kind.
 */
import type { SummaryLayer } from '../core/viewer-protocol.js';
import { h, s } from './dom.js';
import { integer, shape } from './format.js';

const ROW = 34;
const BOX = 26;
const LANE = 12;
const WIDTH = 560;

export type LayerKind = 'input' | 'conv' | 'dense' | 'norm' | 'activation' | 'pool' | 'merge' | 'other';

export function layerKind(type: string): LayerKind {
  if (type === 'InputLayer') return 'input';
  if (/Conv/.test(type)) return 'conv';
  if (type === 'Dense') return 'dense';
  if (/Normalization|Whiten/.test(type)) return 'norm';
  if (/Activation|ReLU|Softmax|ELU/i.test(type)) return 'activation';
  if (/Pool|Flatten|Padding|Reshape/.test(type)) return 'pool';
  if (/^(Add|Concatenate|Multiply|Average|Maximum)$/.test(type)) return 'merge';
  return 'other';
}

interface Arc {
  from: number;
  to: number;
  lane: number;
}

export function architectureDiagram(layers: SummaryLayer[]): HTMLElement {
  const index = new Map(layers.map((l, i) => [l.name, i]));
  const arcs: Arc[] = [];
  const adjacent = new Set<number>();
  layers.forEach((layer, to) => {
    for (const input of layer.inputs) {
      const from = index.get(input);
      if (from === undefined) continue;
      if (from === to - 1) adjacent.add(to);
      else arcs.push({ from, to, lane: 0 });
    }
  });
  const lanes = assignLanes(arcs);
  const gutter = 16 + lanes * LANE;
  const width = gutter + WIDTH;
  const height = layers.length * ROW + 8;
  const svg = s('svg', { class: 'diagram', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'diagram-title' });
  svg.append(s('title', { id: 'diagram-title' }, `${layers.length} layers, ${arcs.length} connections that skip ahead`));
  layers.forEach((layer, i) => {
    const y = 4 + i * ROW;
    if (adjacent.has(i)) svg.append(s('line', { class: 'flow', x1: gutter + 24, y1: y - (ROW - BOX), x2: gutter + 24, y2: y }));
    const kind = layerKind(layer.type);
    svg.append(
      s(
        'g',
        { class: `layer kind-${kind}`, 'data-layer': layer.name },
        s('title', {}, `${layer.name}: ${layer.type}, output ${shape(layer.outputShape)}, ${integer(layer.parameters)} parameters${layer.inputs.length > 1 ? `, inputs ${layer.inputs.join(' + ')}` : ''}`),
        s('rect', { x: gutter, y, width: WIDTH - 4, height: BOX, rx: 6 }),
        s('text', { class: 'layer-name', x: gutter + 10, y: y + 17 }, truncate(layer.name, 30)),
        s('text', { class: 'layer-type', x: gutter + 250, y: y + 17 }, truncate(layer.type, 22)),
        s('text', { class: 'layer-shape', x: gutter + WIDTH - 14, y: y + 17, 'text-anchor': 'end' }, shape(layer.outputShape)),
      ),
    );
  });
  for (const arc of arcs) {
    const y1 = 4 + arc.from * ROW + BOX / 2;
    const y2 = 4 + arc.to * ROW + BOX / 2;
    const x = gutter - 8 - arc.lane * LANE;
    svg.append(s('path', { class: 'skip', d: `M ${gutter} ${y1} H ${x + 6} Q ${x} ${y1} ${x} ${y1 + 6} V ${y2 - 6} Q ${x} ${y2} ${x + 6} ${y2} H ${gutter - 1}`, 'marker-end': 'url(#arrow)' }));
  }
  svg.prepend(
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 8 4 L 0 8 z', class: 'arrow-head' }))),
  );
  return diagramFrame(svg, layers.length);
}

/** Rows that fit the collapsed frame (styles.css: .diagram-wrap.collapsed max-height 720px). */
const FITS = Math.floor(700 / ROW);
/** Whether the user showed the diagram whole: a redraw (theme, bundle) keeps it so. */
let shownWhole = false;

/**
 * A short diagram is shown whole. A long one starts collapsed in a frame that scrolls, and says
 * so: a note with the layer count, a fade at the bottom edge (styles.css) and a toggle that shows
 * it whole, so no one takes the first screen of layers for the model.
 */
function diagramFrame(svg: SVGElement, count: number): HTMLElement {
  const wrap = h('div', { class: 'diagram-wrap', 'data-testid': 'architecture-diagram' }, svg);
  if (count <= FITS) return h('div', {}, wrap, legend());
  wrap.id = 'diagram-frame';
  const note = h('span', { class: 'muted small' });
  const toggle = h('button', { type: 'button', 'aria-controls': 'diagram-frame', onclick: () => show(toggle.getAttribute('aria-expanded') !== 'true') });
  const show = (expanded: boolean) => {
    shownWhole = expanded;
    wrap.classList.toggle('collapsed', !expanded);
    toggle.setAttribute('aria-expanded', String(expanded));
    toggle.textContent = expanded ? 'Collapse' : `Show all ${count} layers`;
    note.textContent = expanded ? `${count} layers` : `${count} layers; the diagram scrolls`;
    // a collapsed frame scrolls, so it takes focus to scroll by keyboard; an expanded one need not
    if (expanded) wrap.removeAttribute('tabindex');
    else wrap.setAttribute('tabindex', '0');
    wrap.setAttribute('aria-label', expanded ? 'Architecture diagram' : 'Architecture diagram (scrolls)');
  };
  show(shownWhole);
  return h('div', {}, h('div', { class: 'diagram-bar' }, note, toggle), h('div', { class: 'diagram-fade' }, wrap), legend());
}

/** Interval colouring: an arc takes the first lane free at its start, so overlapping arcs never share one. */
function assignLanes(arcs: Arc[]): number {
  const ends: number[] = [];
  for (const arc of [...arcs].sort((a, b) => a.from - b.from || b.to - a.to)) {
    let lane = ends.findIndex((end) => end <= arc.from);
    if (lane < 0) lane = ends.push(0) - 1;
    ends[lane] = arc.to;
    arc.lane = lane;
  }
  return Math.max(1, ends.length);
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function legend(): HTMLElement {
  const kinds: [LayerKind, string][] = [
    ['conv', 'convolution'],
    ['dense', 'dense'],
    ['norm', 'normalisation'],
    ['activation', 'activation'],
    ['pool', 'pooling, reshaping'],
    ['merge', 'merge (add)'],
  ];
  return h('ul', { class: 'legend' }, ...kinds.map(([kind, label]) => h('li', {}, h('span', { class: `swatch kind-${kind}`, 'aria-hidden': 'true' }), label)), h('li', {}, h('span', { class: 'swatch skip-swatch', 'aria-hidden': 'true' }), 'skip connection'));
}
