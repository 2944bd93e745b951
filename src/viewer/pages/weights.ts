/**
 * Weights: every stored tensor with its statistics in a sortable table; the selected tensor's
 * histogram and numbers beside it. Choosing a tensor is a button in its row (keyboard too).
 */
import type { TensorSummary } from '../../core/viewer-protocol.js';
import { histogramChart } from '../charts.js';
import { breakable, card, h } from '../dom.js';
import { integer, number, percent, shape } from '../format.js';
import type { Page } from '../page.js';
import { sortableTable } from '../table.js';

/** The tensor chosen last: kept while the viewer is open, so a redraw (theme, bundle) shows it again when the bundle has it. */
let chosen: string | null = null;

export const page: Page = {
  id: 'weights',
  title: 'Weights',
  render(root, { bundle }) {
    const tensors = bundle.summary.tensors;
    if (tensors.length === 0) {
      root.append(card('Tensors', h('p', { class: 'muted' }, 'This bundle stores no weights.')));
      return;
    }
    let selected = tensors.some((t) => t.name === chosen) ? chosen! : tensors[0]!.name;
    const detail = h('div', { class: 'tensor-detail' });
    const choose = (name: string) => {
      selected = name;
      chosen = name;
      for (const row of root.querySelectorAll<HTMLElement>('tr[data-tensor]')) {
        const on = row.dataset.tensor === name;
        row.classList.toggle('selected', on);
        row.querySelector('button')?.setAttribute('aria-pressed', String(on));
      }
      const tensor = tensors.find((t) => t.name === name)!;
      detail.replaceChildren(tensorCard(tensor));
    };
    const table = sortableTable<TensorSummary>({
      caption: 'Tensors',
      testId: 'tensors',
      rows: tensors,
      rowAttributes: (t) => ({ 'data-tensor': t.name, class: t.name === selected ? 'selected' : '' }),
      columns: [
        { key: 'name', label: 'Tensor', sortValue: (t) => t.name, cell: (t) => h('button', { type: 'button', class: 'link', 'aria-pressed': String(t.name === selected), onclick: () => choose(t.name) }, breakable(t.name)) },
        { key: 'shape', label: 'Shape', cell: (t) => shape(t.shape) },
        { key: 'size', label: 'Values', numeric: true, sortValue: (t) => size(t), cell: (t) => integer(size(t)) },
        { key: 'norm', label: 'L2 norm', numeric: true, sortValue: (t) => t.norm, cell: (t) => number(t.norm) },
        { key: 'min', label: 'Min', numeric: true, sortValue: (t) => t.min, cell: (t) => number(t.min) },
        { key: 'max', label: 'Max', numeric: true, sortValue: (t) => t.max, cell: (t) => number(t.max) },
        { key: 'mean', label: 'Mean', numeric: true, sortValue: (t) => t.mean, cell: (t) => number(t.mean) },
        { key: 'std', label: 'Std', numeric: true, sortValue: (t) => t.std, cell: (t) => number(t.std) },
        { key: 'zeros', label: 'Zeros', numeric: true, sortValue: (t) => t.zeros, cell: (t) => percent(t.zeros) },
      ],
    });
    root.append(h('div', { class: 'grid weights' }, card(`Tensors (${tensors.length})`, h('p', { class: 'muted' }, 'Sort by a column header; choose a tensor to see its histogram.'), table), detail));
    choose(selected);
  },
};

function size(t: TensorSummary): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

function tensorCard(t: TensorSummary): HTMLElement {
  return h(
    'section',
    { class: 'card sticky', 'data-testid': 'tensor-detail', 'data-tensor': t.name },
    h('h2', {}, h('code', {}, t.name)),
    h('p', { class: 'muted' }, `${t.dtype} ${shape(t.shape)}, ${integer(size(t))} values`),
    histogramChart('histogram', t.histogram, t.name),
    h(
      'dl',
      { class: 'pairs compact' },
      ...(
        [
          ['L2 norm', number(t.norm)],
          ['min / max', `${number(t.min)} / ${number(t.max)}`],
          ['mean ± std', `${number(t.mean)} ± ${number(t.std)}`],
          ['zeros', percent(t.zeros, 2)],
        ] as const
      ).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
  );
}
