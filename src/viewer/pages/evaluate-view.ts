/**
 * An `Evaluation` on the page: the headline figures, the confusion matrix as a heat map, per-class
 * accuracy as a table with inline bars, and the gallery of misclassified examples. The report's
 * evaluate page (`page`, data computed ahead by `archbundle report --data`) shows it as it is; the
 * live page (evaluate.ts) renders its own runs with the same functions.
 */
import type { Evaluation } from '../../core/viewer-protocol.js';
import type { Page } from '../page.js';
import { card, h } from '../dom.js';
import { integer, number, percent } from '../format.js';
import { cssRgb, mix, parseHex, textOn, type Rgb } from '../contrast.js';
import { cssColor } from '../theme.js';

export const page: Page = {
  id: 'evaluate',
  title: 'Evaluate',
  render(root, context) {
    const evaluation = context.bundle.evaluation;
    if (!evaluation) {
      root.append(
        card(
          'Evaluation',
          h(
            'p',
            { class: 'muted', 'data-testid': 'no-evaluation' },
            'This report was made without --data, so it holds no evaluation. ',
            h('code', {}, 'archbundle report BUNDLE --data NAME -o report.html'),
            ' evaluates the model on a dataset\'s test split first.',
          ),
        ),
      );
      return;
    }
    root.append(...evaluationCards(evaluation));
  },
};

/** Every card of an evaluation, in reading order. */
export function evaluationCards(evaluation: Evaluation): HTMLElement[] {
  return [
    card('Results', headline(evaluation)),
    h('div', { class: 'eval-pair' }, card('Confusion matrix', confusionMatrix(evaluation)), card('Per-class accuracy', perClassTable(evaluation))),
    card(`Misclassified examples`, misclassifiedGallery(evaluation)),
  ];
}

/** Accuracy, loss, and what they were measured on. */
export function headline(evaluation: Evaluation): HTMLElement {
  const figure = (label: string, value: string, testId: string) =>
    h('div', { class: 'eval-figure' }, h('dt', {}, label), h('dd', { 'data-testid': testId }, value));
  return h(
    'dl',
    { class: 'eval-figures' },
    figure('accuracy', percent(evaluation.accuracy, 2), 'evaluation-accuracy'),
    figure('loss (mean cross-entropy)', number(evaluation.loss), 'evaluation-loss'),
    figure('examples', integer(evaluation.examples), 'evaluation-examples'),
    figure('dataset', evaluation.dataset, 'evaluation-dataset'),
    figure('backend', evaluation.backend, 'evaluation-backend'),
  );
}

function className(labels: readonly string[] | null, c: number): string {
  return labels?.[c] ?? `class ${c}`;
}

/**
 * Rows are true classes, columns predicted ones. A cell's colour deepens with its count (square
 * root of its share of the largest count, so that a few mistakes still show next to a diagonal of
 * hundreds); correct cells and mistakes take different hues, from the theme drawn in. Each cell's
 * title says what it counts.
 */
export function confusionMatrix(evaluation: Evaluation): HTMLElement {
  const { confusion, labels } = evaluation;
  const [hit, miss, base] = ['--series-1', '--series-2', '--surface-2'].map((name) => parseHex(cssColor(name))) as [Rgb, Rgb, Rgb];
  const max = Math.max(1, ...confusion.flat());
  const rowTotals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', class: 'cm-corner' }, h('span', { class: 'cm-axis' }, 'true ↓ · predicted →')),
    ...confusion.map((_, c) => h('th', { scope: 'col', class: 'cm-col', title: `predicted ${className(labels, c)}` }, h('span', {}, `${c} ${labels?.[c] ?? ''}`.trim()))),
  );
  const rows = confusion.map((row, t) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'cm-row' }, `${t} ${labels?.[t] ?? ''}`.trim()),
      ...row.map((count, p) => {
        const intensity = Math.sqrt(count / max);
        const share = rowTotals[t] ? count / rowTotals[t]! : 0;
        const cell = h(
          'td',
          {
            class: `cm-cell ${t === p ? 'cm-hit' : 'cm-miss'}`,
            title: `${integer(count)} of ${integer(rowTotals[t]!)} ${className(labels, t)} examples predicted ${className(labels, p)} (${percent(share)})`,
            'data-count': count,
          },
          count ? integer(count) : '',
        );
        // the cell's colour is mixed here, not in CSS, so that its text can be the more legible of black and white
        const background = mix(t === p ? hit : miss, base, intensity);
        cell.style.backgroundColor = cssRgb(background);
        cell.style.color = cssRgb(textOn(background));
        return cell;
      }),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap cm-wrap', 'data-testid': 'confusion-matrix' },
    h('table', { class: 'cm' }, h('caption', { class: 'visually-hidden' }, 'Confusion matrix: rows are the true classes, columns the predicted ones'), h('thead', {}, head), h('tbody', {}, ...rows)),
    h('p', { class: 'cm-legend' }, h('span', { class: 'cm-hit' }, 'correct'), h('span', { class: 'cm-miss' }, 'mistaken'), 'deeper colour: more examples (hover a cell for its count)'),
  );
}

/** One row per class: its examples and accuracy, with a bar as long as the accuracy. */
export function perClassTable(evaluation: Evaluation): HTMLElement {
  const rows = evaluation.perClass.map((c) =>
    h(
      'tr',
      { 'data-class': c.class },
      h('th', { scope: 'row' }, `${c.class} ${c.label ?? ''}`.trim()),
      h('td', { class: 'num' }, integer(c.examples)),
      h('td', { class: 'num' }, c.examples ? percent(c.accuracy) : '–'),
      h(
        'td',
        { class: 'bar-cell' },
        withVar(h('span', { class: 'bar', role: 'presentation' }), '--bar', `${c.examples ? (c.accuracy * 100).toFixed(1) : 0}%`),
      ),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap', 'data-testid': 'per-class' },
    h(
      'table',
      { class: 'per-class' },
      h('caption', { class: 'visually-hidden' }, 'Accuracy of each true class'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'class'), h('th', { scope: 'col', class: 'num' }, 'examples'), h('th', { scope: 'col', class: 'num' }, 'accuracy'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'accuracy bar')))),
      h('tbody', {}, ...rows),
    ),
  );
}

/** The misclassified examples, most confidently wrong first: image, true label, top-3. */
export function misclassifiedGallery(evaluation: Evaluation): HTMLElement {
  const wrong = evaluation.misclassified;
  const all = evaluation.examples - Math.round(evaluation.accuracy * evaluation.examples);
  const text =
    wrong.length === 0
      ? 'No example was misclassified.'
      : wrong.length === all
        ? `All ${integer(all)} misclassified examples, the most confidently wrong first.`
        : `The ${integer(wrong.length)} most confidently wrong of ${integer(all)} misclassified examples.`;
  const note = h('p', { class: 'muted' }, text);
  return h(
    'div',
    { 'data-testid': 'misclassified' },
    note,
    h(
      'ul',
      { class: 'gallery' },
      ...wrong.map((m) =>
        h(
          'li',
          { class: 'gallery-item', 'data-index': m.index },
          h('img', { src: m.image, alt: `test example ${m.index}, a ${className(evaluation.labels, m.target)}`, width: 84, height: 84 }),
          h('div', { class: 'gallery-caption' }, h('span', { class: 'muted' }, `test example ${m.index}, true class`), h('strong', {}, className(evaluation.labels, m.target))),
          topList(m.top, { target: m.target }),
        ),
      ),
    ),
  );
}

/** Ranked classes with their probabilities as bars; `target` (when given) marked as the true class. */
export function topList(top: readonly { class: number; label: string | null; probability: number }[], options: { target?: number; digits?: number } = {}): HTMLElement {
  const { target, digits = 1 } = options;
  return h(
    'ol',
    { class: 'top-list' },
    ...top.map((c) =>
      h(
        'li',
        { class: c.class === target ? 'top-true' : undefined, title: `${c.label ?? `class ${c.class}`}: ${(c.probability * 100).toFixed(2)}%` },
        h('span', { class: 'top-label' }, `${c.class} ${c.label ?? ''}`.trim(), c.class === target ? h('span', { class: 'visually-hidden' }, ' (the true class)') : null),
        withVar(h('span', { class: 'top-bar', role: 'presentation' }), '--bar', `${(c.probability * 100).toFixed(1)}%`),
        h('span', { class: 'num' }, percent(c.probability, digits)),
      ),
    ),
  );
}

/** Sets a custom property through the CSSOM (a style attribute would need a CSP allowing inline styles). */
function withVar<E extends HTMLElement>(element: E, name: string, value: string): E {
  element.style.setProperty(name, value);
  return element;
}
