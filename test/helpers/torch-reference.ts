import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = '/usr/bin/python3';

/**
 * Runs scripts/torch_optimizer_reference.py and returns its JSON, or a reason to skip when this
 * machine has no PyTorch (the numbers copied into the tests still check the implementation).
 */
export function torchReference(): { skip: string } | { output: Record<string, unknown> } {
  if (!existsSync(PYTHON)) return { skip: `${PYTHON} not found` };
  const run = spawnSync(PYTHON, [path.join(ROOT, 'scripts/torch_optimizer_reference.py')], { encoding: 'utf8' });
  if (run.status !== 0) {
    if (/No module named 'torch'/.test(run.stderr)) return { skip: 'PyTorch is not installed' };
    throw new Error(`scripts/torch_optimizer_reference.py failed: ${run.stderr}`);
  }
  return { output: JSON.parse(run.stdout) as Record<string, unknown> };
}
