/**
 * The test examples `archbundle view` serves to the evaluate page (GET /api/samples): a dataset's
 * TEST split, loaded once with the dataset code `train` and `eval` use (same search order, no
 * download) and kept in memory, sent as 8-bit NHWC pixels so the browser scales them by the
 * bundle's own input contract, as `eval` and `predict` do.
 */
import { FILE_DATASET_NAMES, type FileDatasetName } from '../../core/config.js';
import type { SamplesResponse } from '../../core/viewer-protocol.js';
import { loadDataset } from '../data/load.js';
import { DATASETS } from '../data/catalog.js';
import type { Split } from '../../tfjs/data/types.js';
import { HttpError } from './http-error.js';

/** Examples per request at most: 2,000 Fashion-MNIST images are 1.5 MB of pixels (2 MB as base64). */
export const MAX_SAMPLES_PER_REQUEST = 2000;
const DEFAULT_COUNT = 100;

export interface TestSplit {
  dataset: FileDatasetName;
  split: Split;
  /** One example's [height, width, channels]. */
  shape: [number, number, number];
  labels: string[];
}

export function isFileDatasetName(name: string): name is FileDatasetName {
  return (FILE_DATASET_NAMES as readonly string[]).includes(name);
}

/** Test splits by dataset name, each loaded on first use; a failed load is retried next time. */
export class SampleStore {
  private readonly loaded = new Map<FileDatasetName, Promise<TestSplit>>();

  constructor(private readonly dataDir: string | null) {}

  /** E_DATA_NOT_FOUND or E_DATA_INVALID when the files are missing or damaged. */
  testSplit(dataset: FileDatasetName): Promise<TestSplit> {
    let promise = this.loaded.get(dataset);
    if (!promise) {
      promise = this.load(dataset);
      this.loaded.set(dataset, promise);
      promise.catch(() => this.loaded.delete(dataset));
    }
    return promise;
  }

  /** GET /api/samples with its query parameters; `fallback` is the session's dataset. */
  async respond(query: URLSearchParams, fallback: FileDatasetName | null): Promise<SamplesResponse> {
    const name = query.get('dataset') ?? fallback;
    if (name === null) throw new HttpError(400, 'E_BAD_REQUEST', 'no dataset: expected ?dataset=NAME (this session has no default dataset)');
    if (!isFileDatasetName(name)) {
      throw new HttpError(400, 'E_BAD_REQUEST', `dataset must be one of ${FILE_DATASET_NAMES.join(', ')}, received "${name}"`);
    }
    const offset = integerParameter(query, 'offset', 0, 0);
    const count = integerParameter(query, 'count', DEFAULT_COUNT, 1);
    if (count > MAX_SAMPLES_PER_REQUEST) {
      throw new HttpError(400, 'E_BAD_REQUEST', `count must be at most ${MAX_SAMPLES_PER_REQUEST} per request, received ${count}; page with offset`);
    }
    const { split, shape, labels } = await this.testSplit(name);
    if (offset >= split.count) {
      throw new HttpError(400, 'E_BAD_REQUEST', `offset must be below ${split.count} (the ${name} test split's size), received ${offset}`);
    }
    const served = Math.min(count, split.count - offset);
    const size = shape[0] * shape[1] * shape[2];
    const pixels = split.images.subarray(offset * size, (offset + served) * size) as Uint8Array;
    return {
      dataset: name,
      shape,
      labels,
      offset,
      count: served,
      total: split.count,
      targets: Array.from(split.labels.subarray(offset, offset + served)),
      pixels: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).toString('base64'),
    };
  }

  private async load(dataset: FileDatasetName): Promise<TestSplit> {
    const spec = DATASETS[dataset];
    const [channels, height, width] = spec.resolution;
    // The synthetic options are required by the signature and unused for a file dataset.
    const loaded = await loadDataset(dataset, { dataDir: this.dataDir, download: false, synthetic: { train: 1, test: 1, classes: 1, resolution: spec.resolution, noise: 0 } });
    // Only the test split is kept: the training split is several times larger and never served.
    return { dataset, split: loaded.test, shape: [height, width, channels], labels: loaded.classNames };
  }
}

function integerParameter(query: URLSearchParams, name: string, fallback: number, minimum: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < minimum) {
    throw new HttpError(400, 'E_BAD_REQUEST', `${name} must be an integer of at least ${minimum}, received "${text}"`);
  }
  return value;
}
