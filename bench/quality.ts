/**
 * bench:quality — trains a preset (configs/<NAME>.json) as `archbundle train --config` would, on
 * every core, evaluates it on the test split, and prints JSON: test accuracy, wall time and
 * epochs, beside the published Fashion-MNIST benchmark figures (the dataset's README: about
 * 0.93 for small two-convolution networks, 0.949 for ResNet-18) as ratios. No peer is trained
 * in the same run: a PyTorch run of the same preset would double a bench that already takes
 * tens of minutes, so the published figures are the reference here.
 *
 *   npm run bench:quality -- --preset fashion-mnist-simplenet [--minutes 30] [--threads N] [--set KEY=VALUE ...]
 *
 * `--set` changes the preset for this run as `archbundle train --set` does (e.g. a shorter
 * schedule); the JSON lists the changes, and a changed preset never counts as meeting the target.
 *
 * With --minutes the run stops before an epoch that would end past the budget (judged by the
 * mean epoch so far), and the last epoch's bundle is evaluated instead: `epochs.trained` <
 * `epochs.planned` and `stoppedBy: "budget"` say so. Progress goes to stderr; the last line of
 * stdout is the JSON object. The machine may be shared: the load average is recorded with it.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/node/config/load.js';
import type { SessionEvent } from '../src/node/train/session.js';
import type { EpochMetrics } from '../src/tfjs/train/loop.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The Fashion-MNIST README's benchmark figures this bench is read against. */
const PUBLISHED = [
  { name: 'small 2-conv nets (Fashion-MNIST README benchmark)', accuracy: 0.93 },
  { name: 'ResNet-18 (Fashion-MNIST README benchmark)', accuracy: 0.949 },
];
/** Issue 14's target for the SimpleNet preset on this 2-core machine. */
const TARGET = { preset: 'fashion-mnist-simplenet', accuracy: 0.93, minutes: 30 };

const { values: opts } = parseArgs({
  options: {
    preset: { type: 'string' },
    minutes: { type: 'string' },
    threads: { type: 'string' },
    set: { type: 'string', multiple: true },
  },
});
if (!opts.preset) fail('expected --preset NAME, one of configs/*.json (e.g. fashion-mnist-simplenet)');
const name = path.basename(opts.preset, '.json');
const file = path.join(ROOT, 'configs', `${name}.json`);
if (!existsSync(file)) fail(`no preset ${name}: expected configs/${name}.json`);
const minutes = opts.minutes === undefined ? undefined : Number(opts.minutes);
if (minutes !== undefined && !(minutes > 0)) fail(`--minutes must be a positive number, received "${opts.minutes}"`);
// every core unless told otherwise; read by the wasm backend when it starts
process.env.ARCHBUNDLE_THREADS = opts.threads ?? process.env.ARCHBUNDLE_THREADS ?? String(os.availableParallelism());

class BudgetReached extends Error {}

const output = path.join(ROOT, 'runs', 'bench-quality', name);
const changes = opts.set ?? [];
const { config } = await loadConfig({ file, cwd: ROOT, set: [...changes, `output=${JSON.stringify(output)}`] }).catch((error: unknown) =>
  fail(error instanceof Error ? error.message : String(error)),
);
await rm(output, { recursive: true, force: true }); // a fresh run, never a resumed or appended one
const { trainFromConfig } = await import('../src/node/train/session.js');

const loadBefore = os.loadavg();
const start = performance.now();
const epochs: EpochMetrics[] = [];
let backend = '';
let parameters = 0;
let test: { accuracy: number; loss: number; count: number } | undefined;
let stoppedBy: 'done' | 'budget' = 'done';
try {
  const result = await trainFromConfig(config, {
    onEvent(event: SessionEvent) {
      if (event.kind === 'backend') backend = event.info.name;
      if (event.kind === 'model') parameters = event.parameters;
      if (event.kind === 'epoch-end') {
        epochs.push(event.metrics);
        const m = event.metrics;
        log(`epoch ${m.epoch}/${config.epochs}: loss ${m.loss.toFixed(4)} val_acc ${m.val_accuracy?.toFixed(4)} lr ${m.learningRate.toPrecision(3)} ${Math.round(m.imagesPerSecond)} img/s ${m.seconds.toFixed(0)} s; load ${os.loadavg()[0]!.toFixed(2)}`);
      }
      if (event.kind === 'epoch-start' && minutes !== undefined && epochs.length > 0) {
        const elapsed = (performance.now() - start) / 1000;
        const perEpoch = epochs.reduce((s, m) => s + m.seconds, 0) / epochs.length;
        if (elapsed + perEpoch > minutes * 60) throw new BudgetReached();
      }
    },
  });
  test = { accuracy: result.test.accuracy, loss: result.test.loss, count: result.test.count };
} catch (error) {
  if (!(error instanceof BudgetReached)) throw error;
  stoppedBy = 'budget';
  log(`budget of ${minutes} min reached after epoch ${epochs.length}; evaluating its bundle on the test split`);
  test = await evaluateBundle(path.join(output, `epoch-${String(epochs.length).padStart(4, '0')}.archbundle`));
}
const wallSeconds = (performance.now() - start) / 1000;
const best = epochs.reduce<EpochMetrics | undefined>((b, m) => (m.val_accuracy !== null && (!b || m.val_accuracy > b.val_accuracy!) ? m : b), undefined);

console.log(
  JSON.stringify({
    bench: 'quality',
    preset: name,
    set: changes,
    class: config.model.class,
    parameters,
    backend,
    // what ARCHBUNDLE_THREADS asked the wasm backend for (a build without threads runs one)
    threadsRequested: Number(process.env.ARCHBUNDLE_THREADS),
    cpus: os.availableParallelism(),
    load: { before: loadBefore.map(round2), after: os.loadavg().map(round2) },
    budgetMinutes: minutes ?? null,
    stoppedBy,
    epochs: { planned: config.epochs, trained: epochs.length },
    wallSeconds: round2(wallSeconds),
    trainSeconds: round2(epochs.reduce((s, m) => s + m.seconds, 0)),
    imagesPerSecond: Math.round(epochs.reduce((s, m) => s + m.imagesPerSecond, 0) / Math.max(1, epochs.length)),
    bestValidation: best ? { epoch: best.epoch, accuracy: best.val_accuracy } : null,
    test,
    published: PUBLISHED.map((p) => ({ ...p, ratio: round4(test!.accuracy / p.accuracy) })),
    ...(name === TARGET.preset
      ? { target: { ...TARGET, met: changes.length === 0 && test.accuracy >= TARGET.accuracy && wallSeconds <= TARGET.minutes * 60 } }
      : {}),
  }),
);

/** The test accuracy of a bundle, computed as `archbundle eval` computes it. */
async function evaluateBundle(bundle: string): Promise<{ accuracy: number; loss: number; count: number }> {
  const { State } = await import('../src/node/state.js');
  const { trainingFactories } = await import('../src/tfjs/train/factories.js');
  const { evaluateSplit } = await import('../src/tfjs/train/evaluate.js');
  const { loadEvalData } = await import('../src/node/cli/eval-data.js');
  const state = await State.load(bundle, { factories: trainingFactories });
  try {
    const { dataset, split } = await loadEvalData(state, bundle, { dataDir: config.data.dataDir ?? null, command: 'bench:quality' });
    const r = evaluateSplit(state.model, split, dataset.resolution, dataset.classes, config.data.evalBatchSize, state.input?.pixels);
    return { accuracy: r.accuracy, loss: r.loss, count: r.count };
  } finally {
    state.optimizer?.dispose();
    state.model.dispose();
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fail(message: string): never {
  process.stderr.write(`bench:quality: ${message}\n`);
  process.exit(2);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
