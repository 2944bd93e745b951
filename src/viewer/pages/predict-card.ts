/**
 * "Predict an image": a PNG or JPEG chosen or dropped, shown as the model sees it (its resolution,
 * grey for a 1-channel model), and its top-K classes with probabilities, as `archbundle predict`
 * gives them (see src/viewer/inference/image.ts for how the decoding follows predict's).
 */
import { softmax, topClasses } from '../../core/class-ranking.js';
import { card, h } from '../dom.js';
import { errorPanel, shownError } from '../errors.js';
import { integer } from '../format.js';
import { imageBytes, type DecodedImage } from '../inference/image.js';
import { logitsOf } from '../inference/logits.js';
import type { BrowserModel } from '../inference/model.js';
import { exampleDataUrl } from '../inference/example-image.js';
import { evaluateHooks } from './evaluate-hooks.js';
import { topList } from './evaluate-view.js';

interface Prediction {
  name: string;
  image: DecodedImage;
  shape: [number, number, number];
  logits: number[];
  probabilities: number[];
}

/** The last prediction per bundle, shown again when the page is rendered again (theme, selection). */
const last = new WeakMap<Blob, Prediction>();
let k = 5;

export function predictCard(file: Blob, model: () => Promise<BrowserModel>, classes: number | null): HTMLElement {
  const result = h('div', { class: 'predict-result', 'data-testid': 'top-k', 'aria-live': 'polite' });
  const input = h('input', { type: 'file', id: 'predict-input', accept: 'image/png,image/jpeg', 'data-testid': 'predict-input' });
  const kInput = h('input', { type: 'number', id: 'predict-k', min: 1, max: classes ?? undefined, step: 1, value: k, 'data-testid': 'predict-k' });
  const zone = h(
    'div',
    { class: 'image-drop' },
    h('label', { for: 'predict-input' }, 'Choose a PNG or JPEG image'),
    input,
    h('span', { class: 'muted' }, 'or drop one here. It is stretched to the model\'s resolution when its size differs.'),
  );

  // the model's class names, known once it is loaded
  let currentLabels: string[] | null = null;
  const show = (prediction: Prediction) => {
    const labels = prediction.probabilities.length;
    const top = topClasses(prediction.probabilities, Math.min(k, labels), currentLabels);
    evaluateHooks().prediction = { logits: prediction.logits, probabilities: prediction.probabilities, top };
    const [height, width, channels] = prediction.shape;
    const stretched = prediction.image.width !== width || prediction.image.height !== height;
    result.replaceChildren(
      h(
        'figure',
        { class: 'predict-input-view' },
        h('img', { src: exampleDataUrl(prediction.image.bytes, prediction.shape), alt: `${prediction.name} as the model sees it`, width: 112, height: 112 }),
        h(
          'figcaption',
          { class: 'muted' },
          `${prediction.name}: ${integer(width)}×${integer(height)} ${channels === 1 ? 'grey' : 'RGB'}`,
          stretched ? `, stretched from ${integer(prediction.image.width)}×${integer(prediction.image.height)}` : '',
        ),
      ),
      h('div', {}, h('h3', {}, `Top ${top.length}`), topList(top.map((c) => ({ ...c, label: currentLabels ? c.label : null })), { digits: 2 })),
    );
  };
  const predict = async (chosen: File) => {
    result.replaceChildren(h('p', { class: 'muted' }, `Classifying ${chosen.name}…`));
    try {
      const live = await model();
      currentLabels = live.labels;
      const image = await imageBytes(chosen, chosen.name, live.shape);
      const [logits] = await logitsOf(live, image.bytes, 1);
      const values = Array.from(logits!);
      const prediction: Prediction = { name: chosen.name, image, shape: live.shape, logits: values, probabilities: softmax(values) };
      last.set(file, prediction);
      if (result.isConnected) show(prediction);
    } catch (error) {
      result.replaceChildren(errorPanel(chosen.name, shownError(error)));
    }
  };

  input.addEventListener('change', () => {
    const chosen = input.files?.[0];
    if (chosen) void predict(chosen);
  });
  kInput.addEventListener('change', () => {
    const value = Number(kInput.value);
    if (!Number.isInteger(value) || value < 1) return;
    k = value;
    const prediction = last.get(file);
    if (prediction) show(prediction);
  });
  const body = card(
    'Predict an image',
    zone,
    h('p', { class: 'eval-controls' }, h('label', { for: 'predict-k' }, 'Classes shown'), kInput),
    result,
  );
  body.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('drag');
  });
  body.addEventListener('dragleave', () => zone.classList.remove('drag'));
  body.addEventListener('drop', (event) => {
    // an image dropped here is for the model, not a bundle for the viewer's page-wide drop
    event.preventDefault();
    event.stopPropagation();
    zone.classList.remove('drag');
    const dropped = event.dataTransfer?.files[0];
    if (dropped) void predict(dropped);
  });
  const previous = last.get(file);
  if (previous) {
    void model().then((live) => {
      currentLabels = live.labels;
      if (result.isConnected) show(previous);
    });
  }
  return body;
}
