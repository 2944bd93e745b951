/**
 * The live evaluate page: the selected bundle's model runs in the browser (TF.js, wasm by
 * default), on test examples the local server serves ("Evaluate on test samples") or on an image
 * the user gives ("Predict an image"). Results are drawn by evaluate-view.ts, as in a report.
 */
import { shownError, errorPanel } from '../errors.js';
import { card, h } from '../dom.js';
import { integer } from '../format.js';
import type { Page, PageContext } from '../page.js';
import { evaluateSamples, type LiveEvaluation } from '../inference/evaluate-samples.js';
import { modelFor } from '../inference/model.js';
import { samplePages } from '../inference/samples.js';
import { evaluateHooks, setEvaluationState } from './evaluate-hooks.js';
import { evaluationCards } from './evaluate-view.js';
import { predictCard } from './predict-card.js';

const DEFAULT_COUNT = 500;

/** A run per bundle: its progress and outcome outlive a re-render of the page (theme, selection). */
interface Run {
  count: number;
  done: number;
  outcome?: { evaluation: LiveEvaluation } | { error: unknown };
  /** Redraws the page's view of this run, when that view is on screen. */
  update: () => void;
}
const runs = new WeakMap<Blob, Run>();

export const page: Page = {
  id: 'evaluate',
  title: 'Evaluate',
  render(root, context) {
    const file = context.bundle.file;
    if (!file) {
      root.append(card('Evaluate and predict', h('p', { class: 'muted' }, 'This bundle\'s bytes are not at hand, so its model cannot run here.')));
      return;
    }
    const model = () => modelFor(file);
    const classes = context.bundle.summary.args.find((a) => a.name === 'classes')?.value;
    const [samples, results] = samplesCards(file, context);
    root.append(
      modelCard(model),
      h('div', { class: 'grid two' }, samples, predictCard(file, model, typeof classes === 'number' ? classes : null)),
      results,
    );
  },
};

/** Where the model runs: the backend, and why another was not used. */
function modelCard(model: () => ReturnType<typeof modelFor>): HTMLElement {
  const status = h('p', { 'data-testid': 'evaluate-backend', 'aria-live': 'polite' }, 'Loading the model into TF.js…');
  model().then(
    (live) => {
      status.replaceChildren(
        'The model runs in this browser on TF.js\'s ',
        h('strong', {}, live.backend.name),
        ' backend',
        live.backend.fallback ? ` (${live.backend.fallback})` : live.backend.requested === 'default' ? ' (?backend=cpu, wasm or webgl picks another)' : ' (chosen by ?backend=)',
        '.',
      );
      status.dataset.backend = live.backend.name;
    },
    (error) => status.replaceWith(errorPanel('the model', shownError(error))),
  );
  return card('In-browser inference', status);
}

/** The card that runs an evaluation, and the place of the last run's result cards. */
function samplesCards(file: Blob, context: PageContext): [HTMLElement, HTMLElement] {
  const served = context.session?.samples ?? null;
  if (!served) {
    const note = 'No test samples: this page is not served by archbundle view with a dataset at hand. Predicting an image still works.';
    return [card('Evaluate on test samples', h('p', { class: 'muted', 'data-testid': 'no-samples' }, note)), h('div')];
  }
  // the dataset the model was trained on, when its contract names one; the server's otherwise
  const dataset = context.bundle.summary.input?.dataset ?? served.dataset;
  const total = dataset === served.dataset ? served.count : null;
  const count = h('input', {
    type: 'number', id: 'evaluate-count', min: 1, max: total ?? undefined, step: 1,
    value: Math.min(DEFAULT_COUNT, total ?? DEFAULT_COUNT), 'data-testid': 'evaluate-count',
  });
  const button = h('button', { type: 'submit', 'data-testid': 'evaluate-run' }, 'Evaluate');
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'examples classified' });
  const status = h('span', { class: 'muted', role: 'status' });
  const results = h('div', { class: 'eval-results' });
  const form = h(
    'form',
    { class: 'eval-controls' },
    h('label', { for: 'evaluate-count' }, 'Test examples'),
    count,
    button,
    progress,
    status,
  );

  const draw = (run: Run) => {
    if (run !== runs.get(file)) return;
    const running = run.outcome === undefined;
    button.disabled = running;
    progress.hidden = !running;
    progress.max = run.count;
    progress.value = run.done;
    if (running) {
      status.textContent = `${integer(run.done)} of ${integer(run.count)} classified…`;
      return;
    }
    const outcome = run.outcome!;
    if ('error' in outcome) {
      status.textContent = '';
      results.replaceChildren(errorPanel('the evaluation', shownError(outcome.error)));
      return;
    }
    status.textContent = `${integer(run.count)} examples classified.`;
    results.replaceChildren(...evaluationCards(outcome.evaluation.evaluation));
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const n = Number(count.value);
    if (!Number.isInteger(n) || n < 1 || (total !== null && n > total)) {
      status.textContent = `Give a whole number from 1 to ${total === null ? 'the test split\'s size' : integer(total)}.`;
      count.focus();
      return;
    }
    results.replaceChildren();
    const run: Run = { count: n, done: 0, update: () => draw(run) };
    runs.set(file, run);
    void evaluate(file, dataset, run);
  });

  const previous = runs.get(file);
  if (previous) {
    previous.update = () => draw(previous);
    count.value = String(previous.count);
    draw(previous);
  }
  return [
    card(
      'Evaluate on test samples',
      h('p', { class: 'muted' }, `Runs the model on the first test examples of ${dataset}, served by archbundle view${total === null ? '' : ` (${integer(total)} in all)`}.`),
      form,
    ),
    results,
  ];
}

async function evaluate(file: Blob, dataset: string, run: Run): Promise<void> {
  setEvaluationState('running');
  run.update();
  try {
    const live = await modelFor(file);
    const result = await evaluateSamples(live, samplePages(dataset, run.count), (done) => {
      run.done = done;
      run.update();
    });
    run.count = result.logits.length;
    evaluateHooks().evaluation = { ...result.evaluation, logits: result.logits.map((row) => Array.from(row)) };
    run.outcome = { evaluation: result };
    setEvaluationState('done');
  } catch (error) {
    run.outcome = { error };
    setEvaluationState('error');
  }
  run.update();
}
