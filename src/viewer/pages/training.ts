/**
 * Training: loss, accuracy and learning rate over epochs, from the bundle's metrics history or,
 * when the server found one beside it, the run's metrics.jsonl (which goes on past an earlier
 * checkpoint); the run's test result; the history as a table.
 */
import { lineChart } from '../charts.js';
import { card, h } from '../dom.js';
import { integer, number, percent } from '../format.js';
import { epochRecords, epochsOf, hasValues, METRIC_GROUPS, testRecords, valuesOf, type MetricRecord } from '../metrics.js';
import type { Page, ViewedBundle } from '../page.js';

type Source = 'bundle' | 'run';
/** The source picked last, kept while the viewer is open. */
let chosen: Source = 'bundle';

export const page: Page = {
  id: 'training',
  title: 'Training',
  render(root, { bundle }) {
    const runRecords = epochRecords(bundle.run?.metrics ?? []);
    const body = h('div', { class: 'stack' });
    const draw = () => body.replaceChildren(...charts(bundle, chosen === 'run' && runRecords.length ? runRecords : epochRecords(bundle.summary.training.metrics)));
    root.append(sourcePicker(bundle, runRecords.length > 0, draw), body);
    draw();
  },
};

function sourcePicker(bundle: ViewedBundle, hasRun: boolean, draw: () => void): HTMLElement {
  const t = bundle.summary.training;
  const summary = h('p', { class: 'muted' }, `Epoch ${t.epoch}, ${integer(t.globalStep)} steps; ${t.metrics.length} records in the bundle's history`);
  const tests = testRecords(bundle.run?.metrics ?? []);
  const test = tests.at(-1);
  const testFact = test
    ? h('p', { 'data-testid': 'test-result' }, h('strong', {}, 'Test: '), `accuracy ${percent(test.test_accuracy, 2)}, loss ${number(test.test_loss)}`, test.test_count ? ` on ${integer(test.test_count)} examples` : '', ` (run's metrics.jsonl, epoch ${test.epoch ?? '?'})`)
    : null;
  if (!hasRun) return h('div', { class: 'card toolbar' }, summary, testFact);
  const option = (source: Source, label: string) =>
    h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'metrics-source', value: source, checked: chosen === source, onchange: () => ((chosen = source), draw()) }), label);
  return h(
    'div',
    { class: 'card toolbar' },
    summary,
    h('fieldset', { class: 'segmented' }, h('legend', {}, 'Curves from'), option('bundle', "the bundle's history"), option('run', `the run's metrics.jsonl (${bundle.run!.folder})`)),
    testFact,
  );
}

function charts(bundle: ViewedBundle, records: MetricRecord[]): HTMLElement[] {
  if (records.length === 0) return [h('section', { class: 'card empty' }, h('p', {}, 'This bundle holds no metrics history (it was saved before any epoch was logged).'))];
  const x = epochsOf(records);
  const cards = METRIC_GROUPS.map((group) => {
    const series = group.keys.map((key) => ({ label: key, values: valuesOf(records, key), dashed: key.startsWith('val_') })).filter((s) => hasValues(s.values));
    if (series.length === 0) return null;
    return card(group.title, lineChart(group.chart, { x, xLabel: 'epoch', yLabel: group.title.toLowerCase(), series, integerX: true }));
  }).filter((c): c is HTMLElement => c !== null);
  return [h('div', { class: 'grid charts' }, ...cards), card('History', historyTable(records))];
}

const ORDER = ['epoch', 'step', 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'learningRate', 'imagesPerSecond', 'seconds'];

function historyTable(records: MetricRecord[]): HTMLElement {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  keys.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'metrics-history' },
      h('thead', {}, h('tr', {}, ...keys.map((k) => h('th', { scope: 'col', class: 'num' }, k)))),
      h('tbody', {}, ...records.map((r) => h('tr', {}, ...keys.map((k) => h('td', { class: 'num' }, number(r[k])))))),
    ),
  );
}

function rank(key: string): number {
  const i = ORDER.indexOf(key);
  return i < 0 ? ORDER.length : i;
}
