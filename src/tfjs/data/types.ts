/** In-memory datasets: images NHWC per example, labels as class indices. */

/** One split. Byte images are scaled to [0, 1] when batched; float images are used as they are. */
export interface Split {
  /** `count * height * width * channels` values, example after example, each NHWC. */
  images: Uint8Array | Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface Dataset {
  name: string;
  classes: number;
  /** [channels, height, width], as in architecture arguments. */
  resolution: [number, number, number];
  /** Human-readable class names, one per class. */
  classNames: string[];
  train: Split;
  test: Split;
  /** Where the data came from: a folder, or "generated". */
  source: string;
}

export function exampleSize(resolution: readonly [number, number, number]): number {
  return resolution[0] * resolution[1] * resolution[2];
}
