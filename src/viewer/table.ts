/**
 * A table whose columns sort by a button in their header (so by keyboard too), with `aria-sort`
 * telling which one is in force. The table re-renders its body only; focus stays on the button.
 * The order chosen is kept per table (its test id) while the viewer is open, so that a page drawn
 * anew (another theme, another bundle) keeps it.
 */
import { h } from './dom.js';

export interface Column<Row> {
  key: string;
  label: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** What sorting compares; without it the column does not sort. */
  sortValue?: (row: Row) => number | string;
  cell: (row: Row) => Node | string;
}

export interface TableOptions<Row> {
  columns: Column<Row>[];
  rows: Row[];
  /** Attributes for each row, e.g. data-tensor or the selected mark. */
  rowAttributes?: (row: Row) => Record<string, string>;
  caption?: string;
  testId?: string;
}

const kept = new Map<string, { key: string; descending: boolean }>();

export function sortableTable<Row>(options: TableOptions<Row>): HTMLElement {
  const previous = options.testId ? kept.get(options.testId) : undefined;
  let sortKey: string | null = previous && options.columns.some((c) => c.key === previous.key) ? previous.key : null;
  let descending = previous?.descending ?? false;
  const body = h('tbody');
  const headers = options.columns.map((column) => {
    const th = h('th', { scope: 'col', class: column.numeric ? 'num' : undefined });
    if (!column.sortValue) {
      th.textContent = column.label;
      return th;
    }
    const button = h('button', { type: 'button', class: 'sort', onclick: () => sortBy(column.key) }, column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }));
    th.append(button);
    return th;
  });

  const sortBy = (key: string) => {
    descending = sortKey === key ? !descending : options.columns.find((c) => c.key === key)?.numeric === true;
    sortKey = key;
    if (options.testId) kept.set(options.testId, { key, descending });
    fill();
  };

  const fill = () => {
    const column = options.columns.find((c) => c.key === sortKey);
    const rows = [...options.rows];
    if (column?.sortValue) {
      const value = column.sortValue;
      rows.sort((a, b) => {
        const x = value(a);
        const y = value(b);
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
        return descending ? -order : order;
      });
    }
    body.replaceChildren(
      ...rows.map((row) =>
        h('tr', options.rowAttributes?.(row) ?? {}, ...options.columns.map((c) => h('td', { class: c.numeric ? 'num' : undefined }, c.cell(row)))),
      ),
    );
    options.columns.forEach((c, i) => {
      const th = headers[i]!;
      if (c.key === sortKey) th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
  };
  fill();

  return h(
    'div',
    { class: 'table-wrap', 'data-testid': options.testId },
    h('table', {}, options.caption ? h('caption', { class: 'visually-hidden' }, options.caption) : null, h('thead', {}, h('tr', {}, ...headers)), body),
  );
}
