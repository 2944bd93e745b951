/**
 * The input contract a training run records for its dataset: the dataset's name, its class names
 * from the catalog (the synthetic set's classes have none), and training's pixel scaling.
 */
import type { InputContract } from '../../core/bundle/entries.js';
import { inputContract } from '../../core/bundle/input-contract.js';
import type { Dataset } from '../../tfjs/data/types.js';
import { DATASETS, isFileDataset } from './catalog.js';

export function datasetInputContract(dataset: Pick<Dataset, 'name' | 'resolution'>): InputContract {
  return inputContract({
    dataset: dataset.name,
    labels: isFileDataset(dataset.name) ? DATASETS[dataset.name].classNames : null,
    resolution: dataset.resolution,
  });
}
