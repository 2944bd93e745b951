/** node:crypto's incremental sha256 for the bundle format, installed when the Node layer loads. */
import { createHash } from 'node:crypto';
import { useSha256, type Sha256 } from '../../core/bundle/hash.js';

export const nodeSha256: Sha256 = () => {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    digest: () => hash.digest('hex'),
  };
};

useSha256(nodeSha256);
