/** A `BundleFile` over a Blob (a dropped file, or a bundle fetched from the server): reads at offsets, so the reader keeps several in flight. */
import type { BundleFile } from '../../core/bundle/byte-source.js';

export function blobBundleFile(blob: Blob): BundleFile {
  return {
    async readAt(target, position) {
      const bytes = new Uint8Array(await blob.slice(position, position + target.length).arrayBuffer());
      target.set(bytes);
      return bytes.length;
    },
    async close() {},
  };
}
