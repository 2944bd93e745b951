/**
 * The test data a bundle is evaluated on, chosen and loaded as `archbundle eval` does: shared by
 * `eval` and by `report --data` (through src/node/viewer/evaluate.ts), so both evaluate a bundle
 * on the same examples.
 */
import { DATASET_NAMES, type DatasetName } from '../../core/config.js';
import { loadDataset } from '../data/load.js';
import type { Dataset, Split } from '../../tfjs/data/types.js';
import { checkModelFitsDataset } from '../../tfjs/train/model-fits-dataset.js';
import type { State } from '../state.js';
import { UsageError } from './usage.js';

/** How the dataset was chosen: named on the command line, by the bundle's input contract, or guessed. */
export type DatasetSource = '--data' | 'input.json' | 'input shape';

export interface EvalDataOptions {
  /** The dataset named by the user (--data), else the bundle's own. */
  data?: DatasetName;
  /** Folder searched first for the dataset files (already resolved), or null. */
  dataDir: string | null;
  /** Only the first `limit` test examples. */
  limit?: number;
  /** The command whose usage error a missing dataset is ("eval", "report"). */
  command: string;
}

export interface EvalData {
  dataset: Dataset;
  /** The test split, cut to `limit`. */
  split: Split;
  name: DatasetName;
  from: DatasetSource;
}

/**
 * The dataset for `state` (bundle `file`), loaded without downloading, checked against the model
 * (E_INVALID_ARGS on a class count or resolution mismatch), and its test split cut to `limit`.
 */
export async function loadEvalData(state: State, file: string, options: EvalDataOptions): Promise<EvalData> {
  const args = state.model.args as { classes: number; resolution: [number, number, number] };
  const { name, from } = chooseDataset(options.data, state, file, options.command);
  const dataset = await loadDataset(name, {
    dataDir: options.dataDir,
    download: false,
    synthetic: { train: 1, test: 500, classes: args.classes, resolution: args.resolution, noise: 0.25 },
  });
  checkModelFitsDataset(state.model, dataset, { source: file });
  const split = options.limit === undefined ? dataset.test : { ...dataset.test, count: Math.min(options.limit, dataset.test.count) };
  return { dataset, split, name, from };
}

/**
 * --data wins; then the dataset the bundle's input contract names. Only a bundle older than the
 * contract (format version 1) falls back to a guess from its input shape.
 */
function chooseDataset(option: DatasetName | undefined, state: State, file: string, command: string): { name: DatasetName; from: DatasetSource } {
  if (option !== undefined) return { name: option, from: '--data' };
  const contract = state.input;
  if (contract) {
    const named = contract.dataset;
    if (named !== null && (DATASET_NAMES as readonly string[]).includes(named)) return { name: named as DatasetName, from: 'input.json' };
    const what = named === null ? 'no dataset' : `dataset "${named}", which is not one of ${DATASET_NAMES.join(', ')}`;
    throw new UsageError(`${file}: its input contract names ${what}; pass --data NAME`, command);
  }
  if (state.formatVersion >= 2) {
    throw new UsageError(`${file} holds no input contract (input.json) naming its dataset; pass --data NAME`, command);
  }
  const resolution = (state.model.args as { resolution: readonly number[] }).resolution;
  return { name: guessDataset(resolution, command), from: 'input shape' };
}

/** The guess eval made before bundles carried their dataset; kept for format version 1 bundles only. */
function guessDataset(resolution: readonly number[], command: string): DatasetName {
  const shape = resolution.join('x');
  if (shape === '1x28x28') return 'fashion-mnist';
  if (shape === '3x32x32') return 'cifar10';
  throw new UsageError(`no default dataset for inputs of ${resolution.join('x')}; pass --data NAME`, command);
}
