/** What each file-backed dataset is made of, where its files live, and where it can be downloaded. */

import type { FileDatasetName } from '../../core/config.js';

export { DATASET_NAMES, FILE_DATASET_NAMES, type DatasetName, type FileDatasetName } from '../../core/config.js';

export interface DatasetSpec {
  name: FileDatasetName;
  /** Folder name under a data root, the Debian path and the cache. */
  folder: string;
  /** Sub-folders of a dataset folder that may hold the files (archives unpack into one). */
  nested: string[];
  /** Files that must all be present (each may also exist with a `.gz` suffix). */
  files: string[];
  resolution: [number, number, number];
  classNames: string[];
}

/** The datasets' usual public mirrors (one place to change them). Downloads go to the cache folder. */
export const DOWNLOAD_MIRRORS: Record<FileDatasetName, { baseUrl: string; files: string[] }> = {
  'fashion-mnist': {
    baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    files: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
  },
  mnist: {
    baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
    files: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
  },
  cifar10: {
    baseUrl: 'https://www.cs.toronto.edu/~kriz/',
    files: ['cifar-10-binary.tar.gz'],
  },
};

const IDX_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

export const DATASETS: Record<FileDatasetName, DatasetSpec> = {
  'fashion-mnist': {
    name: 'fashion-mnist',
    folder: 'fashion-mnist',
    nested: [],
    files: IDX_FILES,
    resolution: [1, 28, 28],
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  },
  mnist: {
    name: 'mnist',
    folder: 'mnist',
    nested: [],
    files: IDX_FILES,
    resolution: [1, 28, 28],
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  cifar10: {
    name: 'cifar10',
    folder: 'cifar10',
    nested: ['cifar-10-batches-bin'],
    files: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'],
    resolution: [3, 32, 32],
    classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
  },
};

export function isFileDataset(name: string): name is FileDatasetName {
  return Object.hasOwn(DATASETS, name);
}
