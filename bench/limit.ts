/**
 * bench:limit — the GFLOP/s our wasm build reaches through TF.js (tf.matMul and tf.conv2d at
 * float32) on a large GEMM and a large convolution, at 1 thread and at N, each beside PyTorch on
 * the same shapes and threads (bench/peers/torch_limit.py), in the same run; then SimpleNet's
 * training and inference steps (bench:train's model) as FLOPs over time (countModelFlops: conv
 * and dense multiply-adds only), as a share of the GEMM and convolution rates at N threads timed
 * in the same process, in each round right after the step.
 * The last line printed is one JSON object; bench:train prints the same section as "limit".
 *
 *   npm run bench:limit -- [--threads N] [--gemm 1024,1024,1024] [--conv 16,56,56,64,64,3] [--runs 5] [--steps 4] [--rounds 3]
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuName, runPeerJson } from './peer.js';
import { median, roundTo } from './stats.js';
import { BenchWorker, runWorkerOnce } from './worker-client.js';
import type { KernelRate } from './kernel-rates.js';

interface OurKernels {
  threads: number;
  gemm: KernelRate;
  conv: KernelRate;
}

interface PeerKernels extends OurKernels {
  gemm_onednn: KernelRate;
}

export interface LimitShapes {
  gemm: string;
  conv: string;
  runs: number;
}

export const DEFAULT_SHAPES: LimitShapes = { gemm: '1024,1024,1024', conv: '16,56,56,64,64,3', runs: 5 };

/** One thread count: ours and the peer, GEMM and convolution, GFLOP/s and our ratio to the peer. */
async function atThreads(threads: number, shapes: LimitShapes) {
  const args = ['--gemm', shapes.gemm, '--conv', shapes.conv, '--runs', String(shapes.runs)];
  const ours = await runWorkerOnce<OurKernels>('limit-worker.ts', args, threads);
  const peer = runPeerJson<PeerKernels>('torch_limit.py', [...args, '--threads', String(threads)], threads);
  if (peer.threads !== threads) throw new Error(`torch_limit.py ran ${peer.threads} threads, asked for ${threads}`);
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  return {
    threads,
    gemm: {
      ours_gflop_per_s: ours.gemm.gflop_per_s,
      // Debian's torch.mm uses the generic BLAS; the oneDNN figure is PyTorch's best GEMM here
      peer_blas_gflop_per_s: peer.gemm.gflop_per_s,
      peer_gflop_per_s: peer.gemm_onednn.gflop_per_s,
      ratio: ratio(ours.gemm.gflop_per_s, peer.gemm_onednn.gflop_per_s),
    },
    conv: {
      ours_gflop_per_s: ours.conv.gflop_per_s,
      peer_gflop_per_s: peer.conv.gflop_per_s,
      ratio: ratio(ours.conv.gflop_per_s, peer.conv.gflop_per_s),
    },
  };
}

export type KernelLimits = Awaited<ReturnType<typeof atThreads>>[];

/** The kernel limits at 1 thread and at `threads` (once when they are the same). */
export async function measureKernelLimits(threads: number, shapes: LimitShapes = DEFAULT_SHAPES): Promise<KernelLimits> {
  const counts = threads === 1 ? [1] : [1, threads];
  const out: KernelLimits = [];
  for (const n of counts) out.push(await atThreads(n, shapes));
  return out;
}

/** One round of our worker: a step's median ms and the kernel rates (GFLOP/s) timed right after it, same process. */
export interface RoundRates {
  trainMs: number;
  inferMs: number;
  gemm: number;
  conv: number;
}

/**
 * Each step's GFLOP/s (counted FLOPs over its time) as a share of the GEMM and convolution rates
 * timed in the same process in the same round; the medians over the rounds. Dividing by a limit
 * taken minutes apart would mostly measure how the machine's load moved in between.
 */
export function stepShares(flops: { train: number; infer: number }, rounds: RoundRates[], threads: number) {
  const round2 = (v: number) => roundTo(v, 2);
  const round3 = (v: number) => roundTo(v, 3);
  const share = (stepFlops: number, msOf: (r: RoundRates) => number) => {
    const rates = rounds.map((r) => stepFlops / msOf(r) / 1e6);
    return {
      gflop_per_step: round3(stepFlops / 1e9),
      ms_per_step: roundTo(median(rounds.map(msOf)), 1),
      gflop_per_s: round2(median(rates)),
      share_of_gemm: round3(median(rates.map((g, i) => g / rounds[i]!.gemm))),
      share_of_conv: round3(median(rates.map((g, i) => g / rounds[i]!.conv))),
      // the best step over the best GEMM of the run: what a busy machine disturbs least
      best_share_of_gemm: round3(Math.max(...rates) / Math.max(...rounds.map((r) => r.gemm))),
    };
  };
  return {
    threads,
    rounds: rounds.length,
    gemm_gflop_per_s: round2(median(rounds.map((r) => r.gemm))),
    conv_gflop_per_s: round2(median(rounds.map((r) => r.conv))),
    train: share(flops.train, (r) => r.trainMs),
    infer: share(flops.infer, (r) => r.inferMs),
  };
}

/** Asks our worker for the kernel rates it reaches now, at its thread count. */
export async function roundLimit(worker: BenchWorker): Promise<{ gemm: number; conv: number }> {
  const rates = await worker.ask<{ gemm: KernelRate; conv: KernelRate }>('limit');
  return { gemm: rates.gemm.gflop_per_s, conv: rates.conv.gflop_per_s };
}

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      threads: { type: 'string', default: String(availableParallelism()) },
      gemm: { type: 'string', default: DEFAULT_SHAPES.gemm },
      conv: { type: 'string', default: DEFAULT_SHAPES.conv },
      runs: { type: 'string', default: String(DEFAULT_SHAPES.runs) },
      steps: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const threads = Number(opts.threads);
  const kernels = await measureKernelLimits(threads, { gemm: opts.gemm, conv: opts.conv, runs: Number(opts.runs) });
  for (const k of kernels) console.log(`${k.threads} thread(s): GEMM ours ${k.gemm.ours_gflop_per_s} GFLOP/s, PyTorch ${k.gemm.peer_gflop_per_s} (oneDNN; ${k.gemm.peer_blas_gflop_per_s} through torch.mm); conv ours ${k.conv.ours_gflop_per_s}, PyTorch ${k.conv.peer_gflop_per_s}`);
  const { worker, first } = await BenchWorker.start<{ flops: { train: number; infer: number } }>('train-worker.ts', ['--steps', opts.steps], threads);
  try {
    const rounds: RoundRates[] = [];
    for (let r = 0; r < Number(opts.rounds); r++) {
      const trainMs = (await worker.ask<{ ms: number }>('train')).ms;
      const limit = await roundLimit(worker);
      const inferMs = (await worker.ask<{ ms: number }>('infer')).ms;
      rounds.push({ trainMs, inferMs, ...limit });
      console.log(`round ${r + 1}: train ${trainMs.toFixed(1)} ms, infer ${inferMs.toFixed(1)} ms, GEMM ${limit.gemm} GFLOP/s, conv ${limit.conv} GFLOP/s (same process, ${threads} thread(s)); load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    }
    console.log(JSON.stringify({ cpu: cpuName(), load_average: loadavg().map((l) => Math.round(l * 100) / 100), kernels, steps: stepShares(first.flops, rounds, threads) }));
  } finally {
    await worker.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
