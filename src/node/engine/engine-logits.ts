import type { ImageBatch, InferenceEngine } from './engine.js';

/** Examples per engine call, so a large IDX file never becomes one huge batch. */
const BATCH = 256;

/**
 * The logits of each example (NHWC floats of `height × width × channels`), through `engine` in
 * batches of up to BATCH examples, in order (what predictLogits does for TF.js alone).
 */
export async function engineLogits(engine: InferenceEngine, examples: readonly Float32Array[], shape: readonly [number, number, number]): Promise<Float32Array[]> {
  const size = shape[0] * shape[1] * shape[2];
  const out: Float32Array[] = [];
  for (let start = 0; start < examples.length; start += BATCH) {
    const part = examples.slice(start, start + BATCH);
    const batch: ImageBatch = { x: new Float32Array(part.length * size), size: part.length };
    part.forEach((example, n) => batch.x.set(example, n * size));
    const logits = await engine.logits(batch);
    const classes = logits.length / part.length;
    for (let n = 0; n < part.length; n += 1) out.push(logits.slice(n * classes, (n + 1) * classes));
  }
  return out;
}
