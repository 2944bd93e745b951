/**
 * Compare: the chosen bundles (compare-choice.ts; all by default) side by side — key numbers, the
 * arguments that differ, each metric's curves overlaid (one series per bundle, each with its own
 * dash and point shape), and how far each tensor moved from the reference bundle (‖a − b‖ / ‖b‖,
 * b the one selected in the Bundle menu when it is compared, else the first compared).
 */
import { canonicalJson } from '../../core/bundle/canonical-json.js';
import type { BundleComparison } from '../../core/viewer-protocol.js';
import { lineChart } from '../charts.js';
import { card, h } from '../dom.js';
import { errorPanel, shownError } from '../errors.js';
import { bytes, integer, number, percent, shape, value } from '../format.js';
import { epochRecords, epochsOf, hasValues, valuesOf } from '../metrics.js';
import type { Page, PageContext, ViewedBundle } from '../page.js';
import { sortableTable } from '../table.js';
import { choiceCard, chosen, curveStyle, label, type Compared } from './compare-choice.js';

const METRICS = [
  ['loss', 'Loss'],
  ['val_loss', 'Validation loss'],
  ['accuracy', 'Accuracy'],
  ['val_accuracy', 'Validation accuracy'],
  ['learningRate', 'Learning rate'],
] as const;

export const page: Page = {
  id: 'compare',
  title: 'Compare',
  render(root, context) {
    const { bundles } = context;
    if (bundles.length < 2) {
      root.append(card('Compare', h('p', { class: 'muted' }, context.mode === 'live' ? 'Open at least two bundles to compare them (Open bundle… above, or drop files on the page).' : 'This report holds one bundle; there is nothing to compare it with.')));
      return;
    }
    const compared = chosen(context);
    // with two bundles there is nothing to choose: both are compared
    root.append(bundles.length > 2 ? choiceCard(context, compared) : '', keyNumbers(compared), argumentDiff(compared), metricCharts(compared), tensorChanges(context, compared));
  },
};

function keyNumbers(compared: Compared[]): HTMLElement {
  const last = (b: ViewedBundle, key: string) => epochRecords(b.summary.training.metrics).at(-1)?.[key] ?? null;
  const rows: [string, (b: ViewedBundle) => string][] = [
    ['Class', (b) => b.summary.class],
    ['Parameters', (b) => integer(b.summary.parameters)],
    ['File size', (b) => bytes(b.summary.bytes)],
    ['Epoch', (b) => String(b.summary.training.epoch)],
    ['Last loss', (b) => number(last(b, 'loss'))],
    ['Last validation accuracy', (b) => percent(last(b, 'val_accuracy'), 2)],
    ['Optimizer', (b) => b.summary.optimizer?.class ?? '–'],
    ['Scheduler', (b) => b.summary.scheduler?.class ?? '–'],
  ];
  return card(
    'Bundles',
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'compare-bundles' },
        h('thead', {}, h('tr', {}, h('td'), ...compared.map((c) => h('th', { scope: 'col' }, label(c))))),
        h('tbody', {}, ...rows.map(([name, cell]) => h('tr', {}, h('th', { scope: 'row' }, name), ...compared.map(({ bundle: b }) => h('td', { 'data-parameters': name === 'Parameters' ? String(b.summary.parameters) : undefined }, cell(b)))))),
      ),
    ),
  );
}

function argumentDiff(compared: Compared[]): HTMLElement {
  const bundles = compared.map((c) => c.bundle);
  const names = [...new Set(bundles.flatMap((b) => b.summary.args.map((a) => a.name)))];
  const valueIn = (b: ViewedBundle, name: string) => b.summary.args.find((a) => a.name === name);
  const differing = names.filter((name) => new Set(bundles.map((b) => canonicalJson(valueIn(b, name)?.value ?? null))).size > 1);
  const classes = new Set(bundles.map((b) => b.summary.class));
  if (differing.length === 0) {
    return card('Arguments', h('p', { 'data-testid': 'argument-diff' }, classes.size > 1 ? 'The bundles are of different classes and share every argument they have in common.' : `All ${bundles.length} bundles have the same ${[...classes][0]} arguments.`));
  }
  return card(
    'Arguments that differ',
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { 'data-testid': 'argument-diff' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Argument'), ...compared.map((c) => h('th', { scope: 'col' }, label(c))))),
        h(
          'tbody',
          {},
          ...differing.map((name) =>
            h('tr', { 'data-argument': name }, h('th', { scope: 'row' }, h('code', {}, name)), ...bundles.map((b) => h('td', {}, h('code', {}, value(valueIn(b, name)?.value))))),
          ),
        ),
      ),
    ),
  );
}

function metricCharts(compared: Compared[]): HTMLElement {
  const histories = compared.map((c) => epochRecords(c.bundle.summary.training.metrics));
  const x = [...new Set(histories.flatMap((r) => epochsOf(r)))].sort((a, b) => a - b);
  const charts = METRICS.map(([key, title]) => {
    const series = compared.map((c, i) => {
      const epochs = epochsOf(histories[i]!);
      const values = valuesOf(histories[i]!, key);
      const at = new Map(epochs.map((e, j) => [e, values[j]!]));
      const { dash, marker, glyph } = curveStyle(c.index);
      // the first drawn widest and translucent: where curves coincide, each shows as a band and its shape around the next
      const under = compared.length - 1 - i;
      return { label: `${glyph} ${label(c)}`, values: x.map((e) => at.get(e) ?? null), color: c.index, marker, width: 2 + 3 * under, pointSize: 8 + 5 * under, translucent: under > 0, ...(dash ? { dash } : {}) };
    });
    if (!series.some((s) => hasValues(s.values))) return null;
    return card(title, lineChart(`compare-${key}`, { x, xLabel: 'epoch', yLabel: title.toLowerCase(), series, integerX: true }));
  }).filter((c): c is HTMLElement => c !== null);
  if (charts.length === 0) return card('Metrics', h('p', { class: 'muted' }, 'None of the bundles holds a metrics history.'));
  return h('div', { class: 'grid charts' }, ...charts);
}

function tensorChanges(context: PageContext, compared: Compared[]): HTMLElement {
  const { bundles } = context;
  const selected = bundles.indexOf(context.bundle);
  const reference = compared.some((c) => c.index === selected) ? selected : compared[0]!.index;
  const others = compared.map((c) => c.index).filter((i) => i !== reference);
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Reading the weights of each bundle…'));
  const section = card(
    'Per-tensor change',
    h('p', { class: 'muted' }, 'Relative L2 change ‖a − b‖ / ‖b‖ of each tensor from ', h('strong', {}, label({ bundle: bundles[reference]!, index: reference })), ' (pick another reference with the Bundle menu). Tensors of the same name and shape are compared.'),
    body,
  );
  if (!context.compare) {
    body.replaceChildren(h('p', { class: 'muted' }, 'No per-tensor comparison is available here.'));
    return section;
  }
  void Promise.all(others.map((i) => context.compare!(reference, i)))
    .then((results) => body.replaceChildren(changeTable(bundles, others, results)))
    .catch((error) => body.replaceChildren(errorPanel('comparison', shownError(error))))
    .finally(() => body.removeAttribute('aria-busy'));
  return section;
}

function changeTable(bundles: ViewedBundle[], others: number[], results: (BundleComparison | null)[]): HTMLElement {
  const available = others.map((i, k) => ({ index: i, result: results[k] })).filter((c): c is { index: number; result: BundleComparison } => c.result !== null);
  if (available.length === 0) return h('p', { class: 'muted' }, 'This report was made without per-tensor comparisons.');
  const names = available[0]!.result.changes.map((c) => c.name);
  const rows = names.map((name) => ({
    name,
    shape: available[0]!.result.changes.find((c) => c.name === name)!.shape,
    relative: available.map((c) => c.result.changes.find((x) => x.name === name)?.relative ?? null),
  }));
  const max = Math.max(1e-12, ...rows.flatMap((r) => r.relative.map((v) => v ?? 0)));
  const unmatched = [...new Set(available.flatMap((c) => c.result.unmatched))];
  return h(
    'div',
    {},
    sortableTable({
      caption: 'Per-tensor change',
      testId: 'tensor-changes',
      rows,
      rowAttributes: (r) => ({ 'data-tensor': r.name }),
      columns: [
        { key: 'name', label: 'Tensor', sortValue: (r) => r.name, cell: (r) => h('code', {}, r.name) },
        { key: 'shape', label: 'Shape', cell: (r) => shape(r.shape) },
        ...available.map((c, k) => ({
          key: `change-${k}`,
          label: label({ bundle: bundles[c.index]!, index: c.index }),
          numeric: true,
          sortValue: (r: (typeof rows)[number]) => r.relative[k] ?? -1,
          cell: (r: (typeof rows)[number]) => changeCell(r.relative[k] ?? null, max),
        })),
      ],
    }),
    unmatched.length ? h('p', { class: 'muted' }, `Not compared (in one bundle only, or of different shapes): ${unmatched.join(', ')}`) : null,
  );
}

function changeCell(relative: number | null, max: number): HTMLElement {
  if (relative === null) return h('span', { class: 'muted', title: 'the reference tensor is all zeros' }, 'n/a');
  return h('span', { class: 'change' }, h('span', { class: 'bar', style: `width: ${Math.max(2, (relative / max) * 100).toFixed(1)}%`, 'aria-hidden': 'true' }), h('span', { class: 'change-value' }, percent(relative, 2)));
}
