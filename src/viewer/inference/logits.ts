/**
 * Logits for 8-bit examples, as `archbundle predict` computes them: each value scaled by the
 * contract (`value × scale + offset`, in float32), NHWC, through `predictLogits`. Runs in small
 * batches and yields between them so the page stays responsive and can show progress.
 */
import type { PixelScaling } from '../../core/bundle/entries.js';
import { predictLogits } from '../../tfjs/inference/predict-logits.js';
import type { BrowserModel } from './model.js';
import { withBackend } from './tf-lock.js';

/** Examples per forward pass between two yields to the page. */
const BATCH = 50;

/** 8-bit values as the model's floats, as Node's input reading scales them. */
export function scaleBytes(bytes: Uint8Array, { scale, offset }: PixelScaling): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = bytes[i]! * scale + offset;
  return out;
}

/** The logits of `count` examples held one after another in `pixels` (count × height × width × channels bytes). */
export async function logitsOf(
  model: BrowserModel,
  pixels: Uint8Array,
  count: number,
  progress: (done: number) => void = () => {},
): Promise<Float32Array[]> {
  const size = model.shape[0] * model.shape[1] * model.shape[2];
  if (pixels.length !== count * size) throw new RangeError(`${pixels.length} bytes for ${count} examples of ${size}`);
  const out: Float32Array[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const end = Math.min(count, start + BATCH);
    const examples: Float32Array[] = [];
    for (let n = start; n < end; n += 1) examples.push(scaleBytes(pixels.subarray(n * size, (n + 1) * size), model.pixels));
    out.push(...(await withBackend(model.backend.name, () => predictLogits(model.model, examples, model.shape))));
    progress(end);
    // let the page paint the progress and take input before the next batch
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return out;
}
