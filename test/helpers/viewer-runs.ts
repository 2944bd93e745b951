/**
 * Tiny trained runs for the viewer's browser tests, made with the real command line, and what
 * the command line says of them (`inspect --json`, `predict --json`): the figures the pages must
 * show.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { npyBytes } from './array-files.js';
import { runCli, ROOT } from './cli.js';

/**
 * SimpleNet at 4 channels (17,762 parameters: convolutions, batch norm, pooling, so the browser
 * runs the kernels a real model needs) on 512 Fashion-MNIST images, 3 epochs. Trained on the wasm
 * backend: about 7 s where the cpu backend takes 90 s for the same run (the wasm backend is
 * deterministic too). The model learns a little (30-60%), so confusion matrices and curves are
 * not flat.
 */
export const RUN_CONFIG = {
  model: { class: 'SimpleNet', args: { classes: 10, resolution: [1, 28, 28], channels: 4 } },
  data: { dataset: 'fashion-mnist', batchSize: 32, validationSplit: 0.25, trainLimit: 512, testLimit: 64 },
  optimizer: { class: 'Adam', args: { learningRate: 0.003 } },
  scheduler: { class: 'StepLR', args: { stepSize: 1, gamma: 0.5 } },
  epochs: 3,
  seed: 1,
  checkpoint: { everyEpochs: 1, keepLast: 0, keepBest: null },
};

export interface TrainedRun {
  folder: string;
  /** epoch-0001, epoch-0002, ... in order. */
  bundles: string[];
  metricsFile: string;
}

/**
 * Trains RUN_CONFIG into `<dir>/<name>/`, with `args` merged into the model's arguments and
 * `epochs` and `trainLimit` replaced when given; fails with the CLI's output if training fails.
 */
export async function trainRun(dir: string, name = 'run', change: { args?: Record<string, unknown>; epochs?: number; trainLimit?: number } = {}): Promise<TrainedRun> {
  const folder = path.join(dir, name);
  const config = path.join(dir, `${name}.config.json`);
  const epochs = change.epochs ?? RUN_CONFIG.epochs;
  writeFileSync(
    config,
    JSON.stringify({
      ...RUN_CONFIG,
      model: { ...RUN_CONFIG.model, args: { ...RUN_CONFIG.model.args, ...change.args } },
      data: { ...RUN_CONFIG.data, trainLimit: change.trainLimit ?? RUN_CONFIG.data.trainLimit },
      epochs,
      output: folder,
    }),
  );
  const result = await runCli(['train', '--config', config], { cwd: ROOT, env: { ARCHBUNDLE_BACKEND: 'wasm' } });
  if (result.code !== 0) throw new Error(`archbundle train failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  const bundles = Array.from({ length: epochs }, (_, e) => path.join(folder, `epoch-${String(e + 1).padStart(4, '0')}.archbundle`));
  return { folder, bundles, metricsFile: path.join(folder, 'metrics.jsonl') };
}

/** What `archbundle inspect --json` prints (the fields the tests compare). */
export interface InspectJson {
  class: string;
  parameters: number;
  args: Record<string, unknown>;
  epoch: number;
  metrics: Record<string, number | null>[];
  tensors: { name: string; shape: number[] }[];
}

async function cliJson<T>(args: string[]): Promise<T> {
  const result = await runCli(args, { cwd: ROOT, env: { ARCHBUNDLE_BACKEND: 'wasm' } });
  if (result.code !== 0) throw new Error(`archbundle ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export function inspectJson(bundle: string): Promise<InspectJson> {
  return cliJson<InspectJson>(['inspect', bundle, '--json']);
}

export interface PredictJson {
  predictions: { input: string; logits: number[]; probabilities: number[]; top: { class: number; label?: string | null; probability: number }[] }[];
}

/** `archbundle predict BUNDLE INPUT... --json` on the wasm backend (Node's, not the browser's). */
export function predictJson(bundle: string, inputs: string[]): Promise<PredictJson> {
  return cliJson<PredictJson>(['predict', bundle, ...inputs, '--json']);
}

/** metrics.jsonl's records, in file order. */
export function readMetricsJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * The largest difference between two sets of logits, relative to the largest |logit| of the
 * reference (so 1e-4 means four significant digits of the biggest logit, whatever its scale).
 */
export function relativeLogitError(actual: number[][], expected: number[][]): number {
  if (actual.length !== expected.length) throw new Error(`${actual.length} rows of logits, expected ${expected.length}`);
  let scale = 0;
  let worst = 0;
  expected.forEach((row, i) => {
    const other = actual[i]!;
    if (other.length !== row.length) throw new Error(`row ${i}: ${other.length} logits, expected ${row.length}`);
    row.forEach((v, j) => {
      scale = Math.max(scale, Math.abs(v));
      worst = Math.max(worst, Math.abs(v - other[j]!));
    });
  });
  return worst / Math.max(scale, 1e-12);
}

/** Writes `pixels` (N×H×W×C bytes) as a uint8 .npy of shape [N, H, W, C], as `predict` reads it. */
export function writeUint8Npy(file: string, shape: [number, number, number, number], pixels: Uint8Array): void {
  writeFileSync(file, npyBytes({ descr: '|u1', shape, data: pixels }));
}
