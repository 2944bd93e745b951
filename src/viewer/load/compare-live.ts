/**
 * The compare page's per-tensor change in the live viewer: the bundles' weights read again from
 * their bytes by the core reader (no model built), on demand; the values live only while one
 * comparison runs, the results are kept per pair of files.
 */
import type { BundleComparison } from '../../core/viewer-protocol.js';
import { readWeightValues } from '../../tfjs/summary/read-weights.js';
import { compareTensors, type TensorComparison } from '../../tfjs/summary/tensor-change.js';
import type { ViewedBundle } from '../page.js';
import { blobBundleFile } from '../inference/blob-file.js';

export type Comparer = (bundles: ViewedBundle[], reference: number, other: number) => Promise<BundleComparison | null>;

export function liveComparer(): Comparer {
  const results = new WeakMap<Blob, WeakMap<Blob, Promise<TensorComparison>>>();
  return async (bundles, reference, other) => {
    const b = bundles[reference]?.file;
    const a = bundles[other]?.file;
    if (!a || !b) return null;
    let byOther = results.get(b);
    if (!byOther) results.set(b, (byOther = new WeakMap()));
    let result = byOther.get(a);
    if (!result) {
      result = (async () => compareTensors(await readWeightValues(blobBundleFile(a)), await readWeightValues(blobBundleFile(b))))();
      byOther.set(a, result);
    }
    return { reference, other, ...(await result) };
  };
}
