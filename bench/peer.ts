import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The PyTorch peers' folder: ARCHBUNDLE_PEERS_DIR, else `../shared/peers` beside the checkout. */
export function peersDir(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  return process.env.ARCHBUNDLE_PEERS_DIR ?? join(repoRoot, '..', 'shared', 'peers');
}

export interface PeerResult {
  framework: string;
  version: string;
  ms_per_step: number;
  images_per_s: number;
  threads: number;
}

/** Runs one peer script with /usr/bin/python3 and parses its one JSON line. */
export function runPeer(script: string, args: string[]): PeerResult {
  const path = join(peersDir(), script);
  const out = execFileSync('/usr/bin/python3', [path, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as PeerResult;
  } catch {
    throw new Error(`${path} printed no JSON line; its last line was: ${line}`);
  }
}
