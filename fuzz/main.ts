/**
 * npm run fuzz -- --target tar|unpickler|safetensors|all --iterations N [--seed S]
 *                 [--time-cap-ms T] [--json] [--findings DIR] [--backend NAME] [--max-rss-mb M]
 * npm run fuzz -- --target NAME --replay FILE [--iteration I]   (one saved input, in-process;
 *                 the iteration a finding's .txt gives picks the same tar source kind)
 *
 * Runs each target's campaign in a worker under the watchdog, saves findings as they come
 * (DIR/<target>-<hash>.bin and .txt, default fuzz/findings), prints the figures (as JSON with
 * --json) and exits 1 when anything was found, 2 on a usage error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { formatText, saveFindings, summary } from './report.js';
import { Probe, Finding, describeThrown, type TargetFactory } from './target.js';
import { TARGET_NAMES, TARGETS, type TargetName } from './targets/index.js';
import { runWatched } from './watchdog.js';

const USAGE = 'usage: npm run fuzz -- --target tar|unpickler|safetensors|all --iterations N [--seed S] [--time-cap-ms T] [--json] [--findings DIR] [--backend NAME] [--max-rss-mb M] | --target NAME --replay FILE [--iteration I]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function integer(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be an integer ≥ 0, received ${JSON.stringify(text)}`);
  return n;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      target: { type: 'string' },
      iterations: { type: 'string' },
      seed: { type: 'string' },
      'time-cap-ms': { type: 'string' },
      json: { type: 'boolean' },
      findings: { type: 'string' },
      backend: { type: 'string' },
      'max-rss-mb': { type: 'string' },
      replay: { type: 'string' },
      iteration: { type: 'string' },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { values } = parsed;
const names: TargetName[] = values.target === 'all' ? TARGET_NAMES : TARGET_NAMES.includes(values.target as TargetName) ? [values.target as TargetName] : fail(`--target must be one of ${TARGET_NAMES.join(', ')} or all, received ${JSON.stringify(values.target)}`);
const timeCapMs = integer(values['time-cap-ms'], 'time-cap-ms', 1000);

if (values.replay) {
  if (names.length !== 1) fail('--replay needs one --target');
  await replay(names[0]!, new Uint8Array(readFileSync(values.replay)));
} else {
  if (values.iterations === undefined) fail('--iterations is required');
  const findingsDir = values.findings ?? fileURLToPath(new URL('./findings/', import.meta.url));
  const started = performance.now();
  const reports = await runWatched(
    names.map((name) => ({ name, module: TARGETS[name] })),
    {
      seed: integer(values.seed, 'seed', 1),
      iterations: integer(values.iterations, 'iterations', 0),
      timeCapMs,
      backend: values.backend,
      maxRssMb: integer(values['max-rss-mb'], 'max-rss-mb', 8192),
      onFinding: (finding) => {
        const [file] = saveFindings(findingsDir, [finding]);
        process.stderr.write(`FINDING ${finding.target} ${finding.kind} at iteration ${finding.iteration}: ${finding.message.split('\n')[0]} (${file})\n`);
      },
      log: (line) => process.stderr.write(`${line}\n`),
    },
  );
  const wall = Math.round(performance.now() - started);
  if (values.json) process.stdout.write(JSON.stringify({ ...summary(reports, `npm run fuzz -- ${process.argv.slice(2).join(' ')}`), wallMs: wall }, null, 2) + '\n');
  else process.stdout.write(formatText(reports) + `total: ${reports.reduce((n, r) => n + r.iterations, 0)} inputs in ${(wall / 1000).toFixed(1)} s\n`);
  process.exitCode = reports.some((r) => r.findings.length + r.findingsDropped > 0) ? 1 : 0;
}

/** One input through the target's readers in this process, with the outcome of each stage printed. */
async function replay(name: TargetName, bytes: Uint8Array): Promise<void> {
  const { selectBackend } = await import('../src/tfjs/backend/select.js');
  await selectBackend(values.backend as Parameters<typeof selectBackend>[0]);
  const { createTarget } = (await import(TARGETS[name])) as { createTarget: TargetFactory };
  const target = await createTarget();
  const probe = new Probe();
  const started = performance.now();
  try {
    await target.run(bytes, probe, integer(values.iteration, 'iteration', 0));
    process.stdout.write(`${JSON.stringify(probe.codes)} in ${(performance.now() - started).toFixed(1)} ms\n`);
  } catch (error) {
    process.stdout.write(`${error instanceof Finding ? `${error.kind}: ${error.message}` : describeThrown(error)}\n`);
    process.exitCode = 1;
  }
}
