import { uniformGenerator } from '../../core/random.js';
import type { SyntheticOptions } from '../../core/config.js';
import { exampleSize, type Dataset, type Split } from './types.js';

/** Fixed, so the synthetic data is the same whatever the run's seed (it does not draw from the run's stream). */
const DATA_SEED = 0x5eed;
/** Prototypes are a GRID x GRID pattern scaled up: smooth, so small shifts (random crops) keep the class. */
const GRID = 4;

/**
 * A learnable dataset needing no files: each class has a smooth prototype image (a coarse
 * random grid scaled up, mirrored left-right so that flips keep the class), and each example is
 * its class's prototype plus Gaussian noise, clipped to [0, 1]. Deterministic for given options.
 */
export function syntheticDataset(options: SyntheticOptions): Dataset {
  const { classes, resolution } = options;
  const random = uniformGenerator(DATA_SEED);
  const prototypes = Array.from({ length: classes }, () => prototype(resolution, random));
  return {
    name: 'synthetic',
    classes,
    resolution: [...resolution],
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
    train: sample(prototypes, options.train, options.noise, uniformGenerator(DATA_SEED + 1)),
    test: sample(prototypes, options.test, options.noise, uniformGenerator(DATA_SEED + 2)),
    source: 'generated',
  };
}

function prototype([channels, height, width]: [number, number, number], random: () => number): Float32Array {
  const grid = Array.from({ length: GRID * GRID * channels }, random);
  const image = new Float32Array(height * width * channels);
  for (let y = 0; y < height; y += 1) {
    const gy = Math.floor((y * GRID) / height);
    for (let x = 0; x < width; x += 1) {
      const mirrored = Math.min(x, width - 1 - x);
      const gx = Math.floor((mirrored * GRID) / width);
      for (let c = 0; c < channels; c += 1) {
        image[(y * width + x) * channels + c] = grid[(gy * GRID + gx) * channels + c]!;
      }
    }
  }
  return image;
}

function sample(prototypes: Float32Array[], count: number, noise: number, random: () => number): Split {
  const size = prototypes[0]!.length;
  const images = new Float32Array(count * size);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n += 1) {
    const label = n % prototypes.length;
    labels[n] = label;
    const proto = prototypes[label]!;
    for (let i = 0; i < size; i += 1) {
      const value = proto[i]! + noise * gaussian(random);
      images[n * size + i] = value < 0 ? 0 : value > 1 ? 1 : value;
    }
  }
  return { images, labels, count };
}

/** Box-Muller. */
function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
