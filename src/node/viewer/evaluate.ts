/**
 * `archbundle report --data NAME`'s evaluation: a bundle's results on a dataset's test split,
 * computed in Node as the viewer's evaluate page computes them in the browser (the same logits
 * through `predictLogits`, the same scores through src/core/evaluation-summary.ts), with the
 * misclassified examples' images as PNG data URLs for the report's gallery.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { DatasetName } from '../../core/config.js';
import { DEFAULT_PIXEL_SCALING, inputShape } from '../../core/bundle/input-contract.js';
import { scoreLogits } from '../../core/evaluation-summary.js';
import type { Evaluation } from '../../core/viewer-protocol.js';
import { currentBackend, selectBackend, type BackendRequest } from '../../tfjs/backend/select.js';
import { makeBatch } from '../../tfjs/data/batches.js';
import type { Split } from '../../tfjs/data/types.js';
import { predictLogits } from '../../tfjs/inference/predict-logits.js';
import { trainingFactories } from '../../tfjs/train/factories.js';
import { loadEvalData } from '../cli/eval-data.js';
import { State } from '../state.js';

export interface EvaluateBundleOptions {
  /** The dataset (default: the one the bundle's input contract names, as `archbundle eval`). */
  dataset?: DatasetName;
  /** Folder searched first for the dataset files, or null. */
  dataDir?: string | null;
  /** Only the first `limit` test examples. */
  limit?: number;
  /** Examples scaled and classified at a time (default 500, as eval's). */
  batchSize?: number;
  /** Used when no backend is selected yet (default: auto). */
  backend?: BackendRequest;
  /** The command named by a usage error (default "report"). */
  command?: string;
}

/** Evaluates the bundle at `file` (relative paths against the current folder). */
export async function evaluateBundle(file: string, options: EvaluateBundleOptions = {}): Promise<Evaluation> {
  const backend = currentBackend() ?? (await selectBackend(options.backend));
  const state = await State.load(path.resolve(file), { factories: trainingFactories });
  try {
    const { dataset, split } = await loadEvalData(state, file, {
      data: options.dataset,
      dataDir: options.dataDir ?? null,
      limit: options.limit,
      command: options.command ?? 'report',
    });
    const resolution = dataset.resolution;
    const shape = inputShape(resolution);
    const batchSize = options.batchSize ?? 500;
    const logits: Float32Array[] = [];
    for (let start = 0; start < split.count; start += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
      // scaled by the bundle's contract as eval and predict scale 8-bit values (1/255 without one)
      const batch = makeBatch(split, indices, resolution, undefined, state.input?.pixels ?? DEFAULT_PIXEL_SCALING);
      const size = shape[0] * shape[1] * shape[2];
      const examples = indices.map((_, n) => batch.x.subarray(n * size, (n + 1) * size));
      logits.push(...predictLogits(state.model, examples, shape));
    }
    const labels = state.input?.labels ?? dataset.classNames;
    const scores = scoreLogits(logits, split.labels.subarray(0, split.count), { labels, classes: dataset.classes });
    const misclassified = await Promise.all(
      scores.misclassified.map(async (m) => ({ ...m, image: await examplePng(split, m.index, shape) })),
    );
    return { dataset: dataset.name, backend: backend.name, ...scores, misclassified };
  } finally {
    state.optimizer?.dispose();
    state.model.dispose();
  }
}

/** Example `index` of the split as a PNG data URL; float examples (the synthetic set, in [0, 1]) are mapped to 0..255. */
async function examplePng(split: Split, index: number, [height, width, channels]: [number, number, number]): Promise<string> {
  const size = height * width * channels;
  const values = split.images.subarray(index * size, (index + 1) * size);
  const bytes = values instanceof Uint8Array ? values : Uint8Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  const image = sharp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { raw: { width, height, channels: channels as 1 | 3 | 4 } });
  // without the colourspace, sharp writes a grey image as RGB
  const png = await (channels === 1 ? image.toColourspace('b-w') : image).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
