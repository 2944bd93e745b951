/**
 * bench:limit — the GFLOP/s our wasm build reaches through TF.js (tf.matMul and tf.conv2d at
 * float32) on a large GEMM and a large convolution, at 1 thread and at N, each beside PyTorch on
 * the same shapes and threads (bench/peers/torch_limit.py), in the same run; then SimpleNet's
 * training and inference steps (bench:train's model) as FLOPs over time (countModelFlops: conv
 * and dense multiply-adds only), as a share of the GEMM and convolution limits at N threads.
 * The last line printed is one JSON object; bench:train prints the same section as "limit".
 *
 *   npm run bench:limit -- [--threads N] [--gemm 1024,1024,1024] [--conv 16,56,56,64,64,3] [--runs 5] [--steps 4]
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPeerJson } from './peer.js';
import { BenchWorker, runWorkerOnce } from './worker-client.js';

export interface KernelRate {
  shape: number[];
  ms: number;
  gflop_per_s: number;
}

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

export interface StepRate {
  flops: number;
  ms: number;
}

/** A step's GFLOP/s (counted FLOPs over its median time) and its share of the limits at its thread count. */
export function stepShares(steps: Record<'train' | 'infer', StepRate>, limits: KernelLimits, threads: number) {
  const at = limits.find((l) => l.threads === threads);
  if (!at) throw new Error(`no kernel limit measured at ${threads} threads`);
  const round3 = (v: number) => Math.round(v * 1000) / 1000;
  const share = ({ flops, ms }: StepRate) => {
    const gflops = flops / ms / 1e6;
    return {
      gflop_per_step: round3(flops / 1e9),
      ms_per_step: Math.round(ms * 10) / 10,
      gflop_per_s: Math.round(gflops * 100) / 100,
      share_of_gemm: round3(gflops / at.gemm.ours_gflop_per_s),
      share_of_conv: round3(gflops / at.conv.ours_gflop_per_s),
    };
  };
  return { threads, train: share(steps.train), infer: share(steps.infer) };
}

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      threads: { type: 'string', default: String(availableParallelism()) },
      gemm: { type: 'string', default: DEFAULT_SHAPES.gemm },
      conv: { type: 'string', default: DEFAULT_SHAPES.conv },
      runs: { type: 'string', default: String(DEFAULT_SHAPES.runs) },
      steps: { type: 'string', default: '4' },
    },
  });
  const threads = Number(opts.threads);
  const kernels = await measureKernelLimits(threads, { gemm: opts.gemm, conv: opts.conv, runs: Number(opts.runs) });
  for (const k of kernels) console.log(`${k.threads} thread(s): GEMM ours ${k.gemm.ours_gflop_per_s} GFLOP/s, PyTorch ${k.gemm.peer_gflop_per_s} (oneDNN; ${k.gemm.peer_blas_gflop_per_s} through torch.mm); conv ours ${k.conv.ours_gflop_per_s}, PyTorch ${k.conv.peer_gflop_per_s}`);
  const { worker, first } = await BenchWorker.start<{ flops: { train: number; infer: number } }>('train-worker.ts', ['--steps', opts.steps], threads);
  try {
    const train = await worker.ask<{ ms: number }>('train');
    const infer = await worker.ask<{ ms: number }>('infer');
    const steps = stepShares({ train: { flops: first.flops.train, ms: train.ms }, infer: { flops: first.flops.infer, ms: infer.ms } }, kernels, threads);
    console.log(JSON.stringify({ kernels, steps }));
  } finally {
    await worker.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
