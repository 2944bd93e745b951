/**
 * Which bundles the compare page compares: a checkbox per open bundle (Space toggles it), the
 * choice kept in the route (`#/compare?bundles=0,2`) so that a view can be linked and survives a
 * theme change or a reload. All bundles unless the route says otherwise; never fewer than two.
 */
import { h } from '../dom.js';
import type { PageContext, ViewedBundle } from '../page.js';
import { routeHref } from '../route.js';
import { MARKER_GLYPHS, type Marker } from '../chart-markers.js';

/** A bundle on the compare page: its index among the open ones names it in the route and the labels. */
export interface Compared {
  bundle: ViewedBundle;
  index: number;
}

/** Each bundle's curves: a dash pattern and a point shape of its own, so overlapping curves stay apart. */
const STYLES: { dash?: number[]; marker: Marker }[] = [
  { marker: 'circle' },
  { dash: [10, 5], marker: 'square' },
  { dash: [4, 4], marker: 'triangle' },
  { dash: [14, 4, 3, 4], marker: 'diamond' },
];

export function curveStyle(index: number): { dash?: number[]; marker: Marker; glyph: string } {
  const style = STYLES[index % STYLES.length]!;
  return { ...style, glyph: MARKER_GLYPHS[style.marker] };
}

export const label = (c: Compared): string => `${c.index + 1}. ${c.bundle.summary.name}`;

/** The route's choice when it names at least two open bundles, else every bundle. */
export function chosen(context: PageContext): Compared[] {
  const all = context.bundles.map((bundle, index) => ({ bundle, index }));
  const wanted = (context.route.bundles ?? []).filter((i) => i < all.length);
  return wanted.length >= 2 ? wanted.map((i) => all[i]!) : all;
}

/** The checkbox to focus again once the page is drawn anew after a change (the change re-renders it). */
let refocus: number | null = null;

export function choiceCard(context: PageContext, compared: Compared[]): HTMLElement {
  const on = new Set(compared.map((c) => c.index));
  const note = h('p', { class: 'muted small', 'aria-live': 'polite' });
  const boxes = context.bundles.map((bundle, index) => {
    const box = h('input', { type: 'checkbox', value: String(index), checked: on.has(index), 'data-testid': 'compare-choice' });
    box.addEventListener('change', () => {
      const next = boxes.filter((b) => b.box.checked).map((b) => Number(b.box.value));
      if (next.length < 2) {
        box.checked = true;
        note.textContent = 'Compare needs at least two bundles.';
        return;
      }
      refocus = index;
      const all = next.length === boxes.length;
      location.hash = routeHref('compare', context.route.bundle, all ? undefined : next);
    });
    const glyph = h('span', { class: 'compare-glyph', 'aria-hidden': 'true' }, curveStyle(index).glyph);
    glyph.style.color = `var(--series-${(index % 6) + 1})`;
    return { box, label: h('label', { class: 'check' }, box, glyph, `${index + 1}. ${bundle.summary.name}`) };
  });
  const card = h(
    'section',
    { class: 'card toolbar compare-choice' },
    h('fieldset', { class: 'segmented' }, h('legend', {}, 'Compare'), ...boxes.map((b) => b.label)),
    note,
  );
  if (refocus !== null) {
    const target = boxes[refocus]?.box;
    refocus = null;
    // after the page is in the document (render appends it right after this returns)
    queueMicrotask(() => target?.focus());
  }
  return card;
}
