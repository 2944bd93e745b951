import { readFile } from 'node:fs/promises';
import type { DatasetName, SyntheticOptions } from '../../core/config.js';
import { EnvironmentError } from '../../core/errors.js';
import { DATASETS, type DatasetSpec } from './catalog.js';
import { parseCifarBatches } from './cifar.js';
import { downloadDataset } from './download.js';
import { parseIdx } from './idx.js';
import { candidateDirs, locate, resolveRoots, type SearchRoots } from './locate.js';
import { syntheticDataset } from '../../tfjs/data/synthetic.js';
import type { Dataset, Split } from '../../tfjs/data/types.js';

export interface LoadDatasetOptions extends SearchRoots {
  /** Try the public mirror into the cache folder when the files are found nowhere. */
  download?: boolean;
  synthetic: SyntheticOptions;
}

/**
 * Loads a dataset by name. Files are looked for in --data-dir, $ARCHBUNDLE_DATA, the Debian
 * path and the cache, then downloaded into the cache if allowed; E_DATA_NOT_FOUND lists every
 * place looked at (and why a download failed).
 */
export async function loadDataset(name: DatasetName, options: LoadDatasetOptions): Promise<Dataset> {
  if (name === 'synthetic') return syntheticDataset(options.synthetic);
  const spec = DATASETS[name];
  let found = locate(spec, options);
  let downloadFailure: string | undefined;
  const { cacheDir } = resolveRoots(options);
  if (!found && options.download && cacheDir) {
    try {
      await downloadDataset(spec, cacheDir);
      found = locate(spec, { ...options, dataDir: null, envDir: null, systemDir: null });
    } catch (error) {
      downloadFailure = (error as Error).message;
    }
  }
  if (!found) {
    const looked = candidateDirs(spec, options).map((c) => `${c.dir} (${c.origin})`);
    const download = options.download
      ? `; download into the cache failed: ${downloadFailure ?? 'no cache folder'}`
      : '; download disabled';
    throw new EnvironmentError(
      'E_DATA_NOT_FOUND',
      `dataset ${name} not found: looked for ${spec.files.join(', ')} (or .gz) in ${looked.join(', ')}${download}`,
    );
  }
  return readDataset(spec, found.dir, found.files);
}

async function readDataset(spec: DatasetSpec, dir: string, files: string[]): Promise<Dataset> {
  const contents = await Promise.all(files.map(async (file) => ({ file, bytes: new Uint8Array(await readFile(file)) })));
  const base = { name: spec.name, classes: spec.classNames.length, resolution: spec.resolution, classNames: spec.classNames, source: dir };
  if (spec.name === 'cifar10') {
    return { ...base, train: parseCifarBatches(contents.slice(0, 5)), test: parseCifarBatches(contents.slice(5)) };
  }
  const [trainImages, trainLabels, testImages, testLabels] = contents as [Loaded, Loaded, Loaded, Loaded];
  return {
    ...base,
    train: idxSplit(trainImages, trainLabels, spec),
    test: idxSplit(testImages, testLabels, spec),
  };
}

type Loaded = { file: string; bytes: Uint8Array };

function idxSplit(images: Loaded, labels: Loaded, spec: DatasetSpec): Split {
  const x = parseIdx(images.bytes, images.file);
  const y = parseIdx(labels.bytes, labels.file);
  const [, height, width] = spec.resolution;
  if (x.dims.length !== 3 || x.dims[1] !== height || x.dims[2] !== width) {
    throw new EnvironmentError(
      'E_DATA_INVALID',
      `${images.file}: expected images of shape [N, ${height}, ${width}], received [${x.dims.join(', ')}]`,
    );
  }
  if (y.dims.length !== 1 || y.dims[0] !== x.dims[0]) {
    throw new EnvironmentError(
      'E_DATA_INVALID',
      `${labels.file}: expected ${x.dims[0]} labels (one per image), received shape [${y.dims.join(', ')}]`,
    );
  }
  const classes = spec.classNames.length;
  const bad = y.data.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new EnvironmentError('E_DATA_INVALID', `${labels.file}: label ${bad} is ${y.data[bad]}, expected 0-${classes - 1}`);
  }
  return { images: x.data, labels: y.data, count: x.dims[0]! };
}
