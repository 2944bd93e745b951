import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The PyTorch peers' folder: ARCHBUNDLE_PEERS_DIR when set (to try other peer scripts with the
 * same JSON contract), else the repository's own `bench/peers/`.
 */
export function peersDir(): string {
  return process.env.ARCHBUNDLE_PEERS_DIR ?? join(dirname(fileURLToPath(import.meta.url)), 'peers');
}

export interface PeerResult {
  framework: string;
  version: string;
  ms_per_step: number;
  images_per_s: number;
  threads: number;
}

/**
 * Runs one peer script with /usr/bin/python3 (Debian's python3-torch) and parses the JSON object
 * on its last line. OMP/MKL thread counts are set in the environment too, so that a peer pinned
 * with `--threads N` gets N whatever the caller's environment says.
 */
export function runPeerJson<T>(script: string, args: string[], threads?: number): T {
  const path = join(peersDir(), script);
  const env = threads === undefined ? process.env : { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  const out = execFileSync('/usr/bin/python3', [path, ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${path} printed no JSON line; its last line was: ${line}`);
  }
}

/** Runs torch_simplenet.py (or another script printing the same fields). */
export function runPeer(script: string, args: string[], threads?: number): PeerResult {
  return runPeerJson<PeerResult>(script, args, threads);
}

/** The CPU's model name as /proc/cpuinfo gives it (os.cpus() elsewhere), for every bench's JSON. */
export function cpuName(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}
