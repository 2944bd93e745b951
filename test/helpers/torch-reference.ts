import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = '/usr/bin/python3';

/**
 * Runs scripts/torch_optimizer_reference.py and returns its JSON. Without PyTorch (Debian's
 * python3-torch, which CI installs) this fails: a skipped comparison would hide drift.
 */
export function torchReference(): Record<string, unknown> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found: install Debian's python3 and python3-torch`);
  const run = spawnSync(PYTHON, [path.join(ROOT, 'scripts/torch_optimizer_reference.py')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`scripts/torch_optimizer_reference.py failed (is python3-torch installed?): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}
