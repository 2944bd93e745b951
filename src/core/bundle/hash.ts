/**
 * Incremental sha256 (hex), pluggable: the core runs where there is no node:crypto (browsers,
 * workers), so it defaults to WebCrypto, and the Node layer installs node:crypto, which hashes
 * as the bytes arrive instead of keeping a copy of each entry until its digest.
 */
export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): string | Promise<string>;
}

export type Sha256 = () => Hasher;

/** WebCrypto's one-shot digest over a copy of everything fed in (its API has no incremental form). */
export const webCryptoSha256: Sha256 = () => {
  const chunks: Uint8Array[] = [];
  let length = 0;
  return {
    update(bytes) {
      chunks.push(bytes.slice());
      length += bytes.byteLength;
    },
    async digest() {
      const all = new Uint8Array(length);
      let at = 0;
      for (const chunk of chunks.splice(0)) {
        all.set(chunk, at);
        at += chunk.byteLength;
      }
      const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', all));
      return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
    },
  };
};

let current: Sha256 = webCryptoSha256;

/** Replaces the sha256 implementation every bundle read and write uses from now on. */
export function useSha256(factory: Sha256): void {
  current = factory;
}

export function sha256(): Hasher {
  return current();
}
