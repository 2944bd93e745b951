/**
 * A bundle's bytes → its summary, in the browser: the reader checks everything (checksums with
 * WebCrypto's sha256, the core's default), `loadLive` builds the model on TF.js's cpu backend and
 * streams the weights straight into its storage, the summary reads them there, and the model is
 * disposed. The cpu backend is enough for statistics and keeps no GPU memory; the evaluate page
 * picks its own backend for inference, and the shared TF.js lock keeps the two from interleaving.
 */
import { loadLive } from '../../tfjs/bundle/load-live.js';
import { hideCpuBanner } from '../../tfjs/backend/tfjs-internals.js';
import { summarizeBundle } from '../../tfjs/summary/summarize.js';
import { trainingFactories } from '../../tfjs/train/factories.js';
import type { BundleSummary } from '../../core/viewer-protocol.js';
import { blobBundleFile } from '../inference/blob-file.js';
import { withBackend } from '../inference/tf-lock.js';

export function summarizeBlob(blob: Blob, name: string): Promise<BundleSummary> {
  return withBackend('cpu', async () => {
    hideCpuBanner();
    const loaded = await loadLive(blobBundleFile(blob), { factories: trainingFactories });
    try {
      return summarizeBundle(loaded, { name, bytes: blob.size });
    } finally {
      loaded.optimizer?.dispose();
      loaded.model.dispose();
    }
  });
}
