import type { AugmentationOptions } from '../../core/config.js';
import type { PixelScaling } from '../../core/bundle/entries.js';
import { DEFAULT_PIXEL_SCALING } from '../../core/bundle/input-contract.js';
import { uniformGenerator } from '../../core/random.js';
import { exampleSize, type Dataset, type Split } from './types.js';

/** A batch ready for TF.js: NHWC floats (bytes scaled, by default to [0, 1]) and class indices. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  size: number;
}

/** The splits a run trains, validates and tests on. */
export interface PreparedData {
  dataset: Dataset;
  train: Split;
  validation: Split | null;
  test: Split;
}

/**
 * Takes the training subset and the validation split with permutations seeded from the run's
 * seed (not from the random stream), so a resumed run sees exactly the same splits.
 */
export function prepareData(
  dataset: Dataset,
  options: { seed: number; validationSplit: number; trainLimit: number | null; testLimit: number | null },
): PreparedData {
  const order = permutation(dataset.train.count, uniformGenerator((options.seed ^ 0x9e3779b9) >>> 0));
  const used = options.trainLimit === null ? order : order.subarray(0, Math.min(options.trainLimit, order.length));
  const validationCount = Math.floor(used.length * options.validationSplit);
  const size = exampleSize(dataset.resolution);
  const testCount = options.testLimit === null ? dataset.test.count : Math.min(options.testLimit, dataset.test.count);
  return {
    dataset,
    train: gather(dataset.train, used.subarray(validationCount), size),
    validation: validationCount > 0 ? gather(dataset.train, used.subarray(0, validationCount), size) : null,
    test: gather(dataset.test, identity(testCount), size),
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, random: () => number): Uint32Array {
  const order = identity(n);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

function identity(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

function gather(split: Split, indices: Uint32Array, size: number): Split {
  const images = split.images instanceof Float32Array ? new Float32Array(indices.length * size) : new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, n) => {
    images.set(split.images.subarray(index * size, (index + 1) * size), n * size);
    labels[n] = split.labels[index]!;
  });
  return { images, labels, count: indices.length };
}

/** Float images are used as they are. */
const AS_GIVEN: PixelScaling = { scale: 1, offset: 0 };

/**
 * Copies the examples at `indices` into a batch, scaling bytes with `pixels` (value × scale +
 * offset; training's DEFAULT_PIXEL_SCALING maps them to [0, 1], and is what input.json records)
 * and applying the augmentation (random horizontal flip, random crop from a zero-padded image)
 * with `random`.
 */
export function makeBatch(
  split: Split,
  indices: ArrayLike<number>,
  resolution: readonly [number, number, number],
  augmentation?: { options: AugmentationOptions; random: () => number },
  pixels: PixelScaling = DEFAULT_PIXEL_SCALING,
): Batch {
  const [channels, height, width] = resolution;
  const size = channels * height * width;
  const x = new Float32Array(indices.length * size);
  const y = new Int32Array(indices.length);
  const { scale, offset } = split.images instanceof Uint8Array ? pixels : AS_GIVEN;
  for (let n = 0; n < indices.length; n += 1) {
    const index = indices[n]!;
    y[n] = split.labels[index]!;
    const source = index * size;
    const target = n * size;
    let flip = false;
    let dx = 0;
    let dy = 0;
    if (augmentation) {
      const { flip: canFlip, cropPadding: pad } = augmentation.options;
      flip = canFlip && augmentation.random() < 0.5;
      if (pad > 0) {
        dx = Math.floor(augmentation.random() * (2 * pad + 1)) - pad;
        dy = Math.floor(augmentation.random() * (2 * pad + 1)) - pad;
      }
    }
    if (!flip && dx === 0 && dy === 0) {
      for (let i = 0; i < size; i += 1) x[target + i] = split.images[source + i]! * scale + offset;
      continue;
    }
    for (let row = 0; row < height; row += 1) {
      const sourceRow = row + dy;
      if (sourceRow < 0 || sourceRow >= height) continue;
      for (let col = 0; col < width; col += 1) {
        const shifted = col + dx;
        const sourceCol = flip ? width - 1 - shifted : shifted;
        if (shifted < 0 || shifted >= width) continue;
        const from = source + (sourceRow * width + sourceCol) * channels;
        const to = target + (row * width + col) * channels;
        for (let c = 0; c < channels; c += 1) x[to + c] = split.images[from + c]! * scale + offset;
      }
    }
  }
  return { x, y, size: indices.length };
}
