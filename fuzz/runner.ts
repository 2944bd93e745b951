/**
 * The campaign loop, in-process: input i of a target is generated from (seed, target, i), run
 * through the target's readers, timed, and judged. The time check is synchronous, after each
 * input; an input that never returns is the watchdog's business (watchdog.ts). Tests call this
 * directly; the CLI runs it in a worker under the watchdog.
 */
import { addFinding, emptyReport, findingRecord, type FindingRecord, type TargetReport } from './report.js';
import { Rng } from './rng.js';
import { describeThrown, Finding, Probe, type Target } from './target.js';

export interface RunOptions {
  /** Inputs 0 to iterations - 1 (minus `skip`) are run, after the seeds (iterations -1, -2, ...) as warm-up. */
  iterations: number;
  seed: number;
  /** An input taking longer than this is a finding. */
  timeCapMs: number;
  /** Resume here, adding to `base` (a worker restarted after a hang). */
  start?: number;
  base?: TargetReport;
  skip?: ReadonlySet<number>;
  /** Before each input runs (the watchdog's heartbeat). */
  onInput?(iteration: number, bytes: Uint8Array): void;
  onFinding?(finding: FindingRecord): void;
  /** The report so far and the next iteration, every `progressMs`. */
  onProgress?(report: TargetReport, next: number): void;
  progressMs?: number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runTarget(target: Target, options: RunOptions): Promise<TargetReport> {
  const report = options.base ? structuredClone(options.base) : emptyReport(target.name, options.seed);
  const probe = new Probe(report.codes);
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);
  // Ours alone while the campaign runs: the wasm backend's emscripten glue installs a handler
  // that rethrows, which would end the process instead of reporting the input.
  const others = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onRejection);
  const record = (iteration: number, finding: Finding, bytes: Uint8Array) => {
    const text = finding.kind === 'crash' && finding.cause instanceof Error && !finding.message.includes('\n') ? `${finding.message}\n${describeThrown(finding.cause)}` : finding.message;
    const entry = findingRecord(target.name, iteration, finding.kind, text, bytes);
    addFinding(report, entry);
    options.onFinding?.(entry);
  };
  const runOne = async (bytes: Uint8Array, iteration: number, probe: Probe): Promise<{ ms: number; finding?: Finding }> => {
    probe.begin();
    const started = performance.now();
    let finding: Finding | undefined;
    try {
      await target.run(bytes, probe, iteration);
    } catch (error) {
      finding = error instanceof Finding ? error : new Finding('crash', `the target itself threw ${describeThrown(error)}`, { cause: error });
    }
    const ms = performance.now() - started;
    await tick(); // an unhandled rejection of this input surfaces now
    if (rejections.length > 0) finding ??= new Finding('crash', `an unhandled rejection while reading the input: ${rejections.map(describeThrown).join('; ')}`);
    rejections.length = 0;
    if (!finding && ms > options.timeCapMs) finding = new Finding('slow', `the input took ${ms.toFixed(0)} ms, above the cap of ${options.timeCapMs} ms`);
    return { ms, finding };
  };

  const started = performance.now();
  try {
    // Warm-up on the seeds, untimed and uncounted: lazy imports and JIT compilation are not the input's cost.
    for (const [k, seed] of target.seeds.entries()) {
      if (options.skip?.has(-1 - k)) continue;
      options.onInput?.(-1 - k, seed.bytes);
      const { finding } = await runOne(Uint8Array.from(seed.bytes), -1 - k, new Probe());
      if (finding && finding.kind !== 'slow') record(-1 - k, new Finding(finding.kind, `seed ${seed.name}: ${finding.message}`), seed.bytes);
    }
    let lastProgress = performance.now();
    const progressMs = options.progressMs ?? 500;
    for (let i = options.start ?? 0; i < options.iterations; i++) {
      if (options.skip?.has(i)) continue;
      // A fresh buffer of its own, so no reader sees a neighbour's bytes through .buffer.
      const made = target.generate(Rng.forInput(options.seed, target.name, i));
      const bytes = Uint8Array.from(made.length > target.maxBytes ? made.subarray(0, target.maxBytes) : made);
      options.onInput?.(i, bytes);
      const { ms, finding } = await runOne(bytes, i, probe);
      report.iterations++;
      if (!finding && probe.accepted) report.ok++;
      if (ms > report.slowest.ms) report.slowest = { ms, iteration: i };
      if (finding) record(i, finding, bytes);
      if (options.onProgress && performance.now() - lastProgress >= progressMs) {
        report.elapsedMs = (options.base?.elapsedMs ?? 0) + performance.now() - started;
        options.onProgress(report, i + 1);
        lastProgress = performance.now();
      }
    }
  } finally {
    process.off('unhandledRejection', onRejection);
    for (const listener of others) process.on('unhandledRejection', listener);
  }
  report.elapsedMs = (options.base?.elapsedMs ?? 0) + performance.now() - started;
  return report;
}
