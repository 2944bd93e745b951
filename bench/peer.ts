import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The PyTorch peers' folder: `../shared/peers` beside the checkout, else /work/shared/peers. */
export function peersDir(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const beside = join(repoRoot, '..', 'shared', 'peers');
  return existsSync(beside) ? beside : '/work/shared/peers';
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
