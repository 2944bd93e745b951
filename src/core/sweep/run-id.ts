/**
 * Stable ids: a run's is a hash of what it trains (its resolved config without `output`, as
 * canonical JSON, so key order never matters); a sweep's is a hash of its runs' ids, so the
 * same set of runs is the same sweep however the file is written.
 */
import { canonicalJson } from '../bundle/canonical-json.js';
import { sha256 } from '../bundle/hash.js';
import type { TrainConfig } from '../config.js';

export const ID_LENGTH = 12;

async function shortHash(text: string): Promise<string> {
  const hasher = sha256();
  hasher.update(new TextEncoder().encode(text));
  return (await hasher.digest()).slice(0, ID_LENGTH);
}

export function runId(config: TrainConfig | Record<string, unknown>): Promise<string> {
  const { output: _output, ...rest } = config as Record<string, unknown>;
  return shortHash(canonicalJson(rest));
}

export function sweepId(runIds: readonly string[]): Promise<string> {
  return shortHash(canonicalJson([...runIds].sort()));
}

/** Whether `text` has the shape of a run or sweep id (used before treating a folder as a run's). */
export function isId(text: string): boolean {
  return new RegExp(`^[0-9a-f]{${ID_LENGTH}}$`).test(text);
}
