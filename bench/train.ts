/**
 * bench:train — the reference implementation's SimpleNet (channels 16, 1x28x28, batch 128):
 * training (Adam 1e-3, softmax cross-entropy) and inference images/s, ours beside the PyTorch peer
 * (bench/peers/torch_simplenet.py) at the same thread count N, in alternating rounds of the same
 * run (the machine is shared, so only ratios taken close together mean much). Our side runs in a
 * child process started with ARCHBUNDLE_THREADS=N (bench/train-worker.ts); the bench stops if the
 * backend runs another count. Inference is also timed through onnxruntime-node (src/node/engine,
 * an optional dependency) at N intra-op threads, beside the same PyTorch rounds. Then the kernel limits (bench/limit.ts) and each step's share of
 * them, the load figures (bench/io.ts, fresh processes), and TF.js's cpu backend for contrast.
 * The last line printed is one JSON object:
 *   {cpu, threads, load_average, train, infer, infer_onnxruntime, limit, load, cpu_backend_train_images_per_s}
 *
 *   npm run bench:train -- [--threads N] [--rounds 3] [--steps 4] [--warmup 2] [--no-limit] [--no-load] [--no-cpu]
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuName, runPeer } from './peer.js';
import { median, roundTo } from './stats.js';
import { measureKernelLimits, roundLimit, stepShares, type RoundRates } from './limit.js';
import { TRAIN_WORKER_OPTIONS, trainWorkerArgs } from './train-worker-options.js';
import { BenchWorker } from './worker-client.js';

const { values: opts } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '3' },
    ...TRAIN_WORKER_OPTIONS,
    'load-runs': { type: 'string', default: '3' },
    'no-cpu': { type: 'boolean', default: false },
    'no-limit': { type: 'boolean', default: false },
    'no-load': { type: 'boolean', default: false },
  },
});
const threads = Number(opts.threads);
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a whole number ≥ 1, received "${opts.threads}"`);
const rounds = Number(opts.rounds);
const batch = Number(opts.batch);
const channels = Number(opts.channels);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const round1 = (v: number) => roundTo(v, 1);
const round3 = (v: number) => roundTo(v, 3);
const load = () => loadavg().map((l) => round3(l));

interface Ready {
  backend: string;
  tfjsName: string;
  threads: number;
  flops: { train: number; infer: number };
}

const loadAtStart = load();
const worker = await BenchWorker.start<Ready>('train-worker.ts', trainWorkerArgs(opts), threads);
const ready = worker.first;
if (ready.threads !== threads) throw new Error(`train-worker ran ${ready.threads} threads, asked for ${threads}`);
console.log(`${cpuName()}; backend ${ready.backend} (${ready.tfjsName}), threads ${ready.threads}; SimpleNet c=${channels} 1x28x28 batch ${batch}; load ${loadAtStart.join(' ')}`);

const peerArgs = ['--channels', String(channels), '--resolution', '1,28,28', '--batch', String(batch),
  '--steps', opts.steps, '--warmup', opts.warmup, '--threads', String(threads)];
function peerMs(mode: 'train' | 'infer'): number {
  const result = runPeer('torch_simplenet.py', ['--mode', mode, ...peerArgs], threads);
  if (result.threads !== threads) throw new Error(`torch_simplenet.py ran ${result.threads} threads, asked for ${threads}`);
  return result.ms_per_step;
}

const ours = { train: [] as number[], infer: [] as number[], onnxruntime: [] as number[] };
/** Per round: our steps and the kernel rates our worker reaches right after them (the limit's denominator). */
const rates: RoundRates[] = [];
/** Why inference through onnxruntime-node was not measured (not installed, a layer ONNX cannot express). */
let onnxUnavailable: string | undefined;
const peer = { train: [] as number[], infer: [] as number[] };
let cpuImagesPerS: number | null = null;
try {
  for (let r = 1; r <= rounds; r++) {
    ours.train.push((await worker.worker.ask<{ ms: number }>('train')).ms);
    const limitNow = opts['no-limit'] ? undefined : await roundLimit(worker.worker);
    peer.train.push(peerMs('train'));
    ours.infer.push((await worker.worker.ask<{ ms: number }>('infer')).ms);
    if (limitNow) rates.push({ trainMs: ours.train.at(-1)!, inferMs: ours.infer.at(-1)!, ...limitNow });
    peer.infer.push(peerMs('infer'));
    if (!onnxUnavailable) {
      const answer = await worker.worker.ask<{ ms?: number; threads?: number | null; unavailable?: string }>('infer-onnxruntime');
      if (answer.unavailable) onnxUnavailable = answer.unavailable;
      else if (answer.threads !== threads) throw new Error(`onnxruntime ran ${answer.threads} intra-op threads, asked for ${threads}`);
      else ours.onnxruntime.push(answer.ms!);
    }
    console.log(`round ${r}: train ours ${round1(ours.train.at(-1)!)} ms/step, peer ${peer.train.at(-1)} ms/step; ` +
      `infer ours ${round1(ours.infer.at(-1)!)} ms, onnxruntime ${onnxUnavailable ? '-' : round1(ours.onnxruntime.at(-1)!)} ms, peer ${peer.infer.at(-1)} ms; load ${load().join(' ')}`);
  }
  if (!opts['no-cpu']) {
    cpuImagesPerS = (await worker.worker.ask<{ cpu_images_per_s: number }>('cpu')).cpu_images_per_s;
    console.log(`cpu backend: ${cpuImagesPerS} images/s training at batch ${opts['cpu-batch']}`);
  }
} finally {
  await worker.worker.close();
}

const summary = (o: number[], p: number[]) => {
  const oursIps = (batch * 1000) / median(o);
  const peerIps = (batch * 1000) / median(p);
  return { ours_images_per_s: round1(oursIps), peer_images_per_s: round1(peerIps), ratio: round3(oursIps / peerIps) };
};

let limit: object | null = null;
if (!opts['no-limit']) {
  const kernels = await measureKernelLimits(threads);
  const steps = stepShares(ready.flops, rates, threads);
  limit = { kernels, steps };
  console.log(`limit: training ${steps.train.gflop_per_s} GFLOP/s = ${steps.train.share_of_gemm} of our GEMM at ${threads} thread(s), inference ${steps.infer.share_of_gemm}`);
}

/** bench:io's load section (fresh processes, same thread count), or null with --no-load. */
function loadFigures(): object | null {
  if (opts['no-load']) return null;
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'io.ts')], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ARCHBUNDLE_THREADS: String(threads), BENCH_IO_RUNS: opts['load-runs'] },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`bench/io.ts failed (${run.status}); its last line: ${line}`);
  const io = JSON.parse(line) as { bytes: number; load: { ours_gb_per_s: number; raw_gb_per_s: number; peer_gb_per_s: number | null } };
  return {
    bytes: io.bytes,
    ...io.load,
    ratio_to_raw: round3(io.load.ours_gb_per_s / io.load.raw_gb_per_s),
    ratio: io.load.peer_gb_per_s ? round3(io.load.ours_gb_per_s / io.load.peer_gb_per_s) : null,
  };
}
const loadResult = loadFigures();

// The same PyTorch inference rounds are the peer of both engines.
const inferOnnxruntime = onnxUnavailable
  ? { ours_images_per_s: null, peer_images_per_s: null, ratio: null, reason: onnxUnavailable }
  : summary(ours.onnxruntime, peer.infer);
if (onnxUnavailable) console.log(`infer_onnxruntime: not measured (${onnxUnavailable})`);
console.log(JSON.stringify({
  cpu: cpuName(),
  threads: ready.threads,
  load_average: { start: loadAtStart, end: load() },
  train: summary(ours.train, peer.train),
  infer: summary(ours.infer, peer.infer),
  infer_onnxruntime: inferOnnxruntime,
  limit,
  load: loadResult,
  cpu_backend_train_images_per_s: cpuImagesPerS,
}));
