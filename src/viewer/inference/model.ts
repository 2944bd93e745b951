/**
 * A viewed bundle's model, live in the browser: rebuilt from the bundle's bytes by the same
 * reader and registry as Node's `State.load` (every check, checksums included), with what its
 * input contract says about inputs. One model is kept at a time: a bundle's model is built once,
 * and disposed when another bundle's is asked for (a WRN-28-10 holds 146 MB of weights).
 */
import type { PixelScaling } from '../../core/bundle/entries.js';
import { DEFAULT_PIXEL_SCALING, inputShape } from '../../core/bundle/input-contract.js';
import type { Classifier } from '../../tfjs/classifier.js';
import { loadLive } from '../../tfjs/bundle/load-live.js';
import { trainingFactories } from '../../tfjs/train/factories.js';
import { browserBackend, type BrowserBackendInfo } from './backend.js';
import { blobBundleFile } from './blob-file.js';
import { withBackend } from './tf-lock.js';

export interface BrowserModel {
  model: Classifier;
  /** One example's [height, width, channels]. */
  shape: [number, number, number];
  classes: number;
  /** How 8-bit values become the model's floats (the contract's, else 1/255). */
  pixels: PixelScaling;
  /** One name per class, or null. */
  labels: string[] | null;
  /** The dataset the contract names, or null. */
  dataset: string | null;
  backend: BrowserBackendInfo;
}

let current: { file: Blob; model: Promise<BrowserModel> } | undefined;

/** The model in `file`, built on the first call for that file. */
export function modelFor(file: Blob): Promise<BrowserModel> {
  if (current?.file === file) return current.model;
  const previous = current?.model;
  const model = (async () => {
    await previous?.then((m) => withBackend(m.backend.name, () => m.model.dispose()), () => undefined);
    return build(file);
  })();
  current = { file, model };
  // a failed build is not kept: the next call tries again
  model.catch(() => {
    if (current?.model === model) current = undefined;
  });
  return model;
}

async function build(file: Blob): Promise<BrowserModel> {
  const backend = await browserBackend();
  const loaded = await withBackend(backend.name, async () => {
    const live = await loadLive(blobBundleFile(file), { factories: trainingFactories });
    // inference needs no optimizer; the loader restores it only because the bundle holds one
    live.optimizer?.dispose();
    return live;
  });
  const args = loaded.model.args as { classes: number; resolution: [number, number, number] };
  const input = loaded.contents.input;
  return {
    model: loaded.model,
    shape: inputShape(args.resolution),
    classes: args.classes,
    pixels: input?.pixels ?? DEFAULT_PIXEL_SCALING,
    labels: input?.labels ?? null,
    dataset: input?.dataset ?? null,
    backend,
  };
}
