/**
 * How training and inference scale from 1 to N threads on the wasm backend, beside PyTorch's own
 * scaling in the same run: SimpleNet (channels 16, 1x28x28, batch 128, Adam). Rounds alternate
 * 1 and N threads, ours and the peer; each of ours runs in a fresh child process (the wasm backend
 * starts once per process) with ARCHBUNDLE_THREADS, and checks it got the count asked for.
 *
 *   node --import tsx bench/thread-scaling.ts [--threads N] [--rounds 3] [--steps 5] [--warmup 2]
 *
 * Last line, JSON: {cpu, load_average: [start, end], threads, rounds,
 *   ours: {"1": {train_images_per_s, infer_images_per_s}, "N": ...}, peer: same,
 *   train_cpu_ms_per_step: {"1": {main_ms, others_ms}, "N": ...}, projected_train_scaling,
 *   scaling: {ours_train, ours_infer, peer_train, peer_infer} (N threads over 1),
 *   ratio: {train_1, train_N, infer_1, infer_N} (ours over the peer)}
 * The machine is shared: the load averages say how much the figures can be trusted.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runPeer } from './peer.js';
import { median } from './stats.js';

const { values: opts } = parseArgs({
  options: {
    threads: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    batch: { type: 'string', default: '128' },
    channels: { type: 'string', default: '16' },
    child: { type: 'boolean', default: false },
  },
});
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const batch = Number(opts.batch);
const channels = Number(opts.channels);

interface Figures {
  threads: number;
  train_ms: number;
  infer_ms: number;
  /** CPU ms per training step of the main thread and of all other threads (the pool's workers). */
  train_cpu: { main_ms: number; others_ms: number };
}

/**
 * CPU ms used so far by each thread of this process (Linux: /proc/self/task/TID/stat, utime +
 * stime in clock ticks of 10 ms). On a shared machine the wall time of N threads says little
 * (a thread pool waits for its slowest thread, and the scheduler gives each a share of a core);
 * CPU time per thread does not depend on that share: the main thread's CPU time per step is what
 * a step would take on free cores, as long as it (not a worker) is the last to finish.
 */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return out;
}

if (opts.child) {
  process.stdout.write(`${JSON.stringify(await measureOurs())}\n`);
} else {
  await compare();
}

/** In the child: ms per training step and per inference batch at ARCHBUNDLE_THREADS threads. */
async function measureOurs(): Promise<Figures> {
  const { compileForInference, selectBackend, trainStep } = await import('../src/index.js');
  const { simpleNetWorkload } = await import('./simplenet-workload.js');
  const info = await selectBackend('wasm');
  const { model, x, labels, optimizer } = simpleNetWorkload({ batch, channels });
  const time = (run: () => void) => {
    for (let i = 0; i < warmup; i++) run();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) run();
    return (performance.now() - t0) / steps;
  };
  const before = threadCpuMs();
  const train_ms = time(() => trainStep(model, optimizer, x, labels));
  const after = threadCpuMs();
  let main_ms = 0;
  let others_ms = 0;
  for (const [tid, ms] of after) {
    const used = (ms - (before.get(tid) ?? 0)) / (warmup + steps);
    if (tid === String(process.pid)) main_ms = used;
    else others_ms += used;
  }
  const inference = compileForInference(model.net);
  const infer_ms = time(() => {
    const logits = inference.predict(x);
    logits.dataSync();
    logits.dispose();
  });
  return { threads: info.threads, train_ms, infer_ms, train_cpu: { main_ms, others_ms } };
}

function ours(threads: number): Figures {
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', '--steps', String(steps), '--warmup', String(warmup), '--batch', String(batch), '--channels', String(channels)], {
    encoding: 'utf8',
    env: { ...process.env, ARCHBUNDLE_THREADS: String(threads), ARCHBUNDLE_BACKEND: 'wasm' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const figures = JSON.parse(out.trim().split('\n').pop()!) as Figures;
  if (figures.threads !== threads) throw new Error(`asked for ${threads} thread(s), the wasm backend ran ${figures.threads}`);
  return figures;
}

function peer(threads: number, mode: 'train' | 'infer'): number {
  const args = ['--mode', mode, '--channels', String(channels), '--resolution', '1,28,28', '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup), '--threads', String(threads)];
  const result = runPeer('torch_simplenet.py', args, threads);
  if (result.threads !== threads) throw new Error(`torch_simplenet.py ran ${result.threads} threads, asked for ${threads}`);
  return result.ms_per_step;
}

async function compare(): Promise<void> {
  const top = Number(opts.threads);
  const counts = [...new Set([1, top])];
  const rounds = Number(opts.rounds);
  const loadStart = loadavg()[0]!;
  const samples = new Map(counts.map((n) => [n, { ours: [] as Figures[], peerTrain: [] as number[], peerInfer: [] as number[] }]));
  for (let r = 0; r < rounds; r++) {
    for (const n of counts) {
      const s = samples.get(n)!;
      s.ours.push(ours(n));
      s.peerTrain.push(peer(n, 'train'));
      s.peerInfer.push(peer(n, 'infer'));
      const last = s.ours.at(-1)!;
      console.log(`round ${r + 1}, ${n} thread(s): ours train ${last.train_ms.toFixed(1)} ms (cpu: main ${last.train_cpu.main_ms.toFixed(0)}, others ${last.train_cpu.others_ms.toFixed(0)}), infer ${last.infer_ms.toFixed(1)} ms; ` +
        `PyTorch train ${s.peerTrain.at(-1)!.toFixed(1)} ms, infer ${s.peerInfer.at(-1)!.toFixed(1)} ms (load ${loadavg()[0]!.toFixed(2)})`);
    }
  }
  const perSecond = (ms: number) => Math.round((batch * 1000) / ms);
  const figures = (n: number) => {
    const s = samples.get(n)!;
    return {
      ours: { train_images_per_s: perSecond(median(s.ours.map((o) => o.train_ms))), infer_images_per_s: perSecond(median(s.ours.map((o) => o.infer_ms))) },
      peer: { train_images_per_s: perSecond(median(s.peerTrain)), infer_images_per_s: perSecond(median(s.peerInfer)) },
    };
  };
  const one = figures(1);
  const many = figures(top);
  const cpu = (n: number) => {
    const s = samples.get(n)!.ours;
    return { main_ms: Math.round(median(s.map((o) => o.train_cpu.main_ms))), others_ms: Math.round(median(s.map((o) => o.train_cpu.others_ms))) };
  };
  const round2 = (x: number) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({
    cpu: cpus()[0]?.model ?? 'unknown',
    load_average: [round2(loadStart), round2(loadavg()[0]!)],
    threads: top,
    rounds,
    ours: { '1': one.ours, [top]: many.ours },
    peer: { '1': one.peer, [top]: many.peer },
    train_cpu_ms_per_step: { '1': cpu(1), [top]: cpu(top) },
    // what the main thread's CPU time per step predicts for free cores (see threadCpuMs)
    projected_train_scaling: round2(cpu(1).main_ms / cpu(top).main_ms),
    scaling: {
      ours_train: round2(many.ours.train_images_per_s / one.ours.train_images_per_s),
      ours_infer: round2(many.ours.infer_images_per_s / one.ours.infer_images_per_s),
      peer_train: round2(many.peer.train_images_per_s / one.peer.train_images_per_s),
      peer_infer: round2(many.peer.infer_images_per_s / one.peer.infer_images_per_s),
    },
    ratio: {
      train_1: round2(one.ours.train_images_per_s / one.peer.train_images_per_s),
      [`train_${top}`]: round2(many.ours.train_images_per_s / many.peer.train_images_per_s),
      infer_1: round2(one.ours.infer_images_per_s / one.peer.infer_images_per_s),
      [`infer_${top}`]: round2(many.ours.infer_images_per_s / many.peer.infer_images_per_s),
    },
  }));
}
