/** Incremental sha256 (hex). The only place the bundle code touches node:crypto. */
import { createHash } from 'node:crypto';

export interface Hasher {
  update(bytes: Uint8Array): void;
  hex(): string;
}

export function sha256(): Hasher {
  const hash = createHash('sha256');
  return {
    update: (bytes) => void hash.update(bytes),
    hex: () => hash.digest('hex'),
  };
}
