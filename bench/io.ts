/**
 * bench:io — bundle save and load throughput beside a raw fs write/read of the same bytes and
 * beside torch.save / torch.load (bench/peers/torch_io.py) at the same size, all in one run, plus the
 * peak memory of a load measured in a fresh process. Last line: one JSON object.
 *
 * What each figure includes (so that the comparison is fair, and where it cannot be):
 * - ours save: the whole State.save: tar production, sha256 of every entry (the manifest needs
 *   them), a temp file, fsync, rename over the previous bundle, fsync of the folder.
 * - raw save: the same bytes, already in one buffer, with open('w') + writeFile + fsync. It
 *   truncates the previous file first; a temp file + rename costs the same.
 * - ours load: State.load in a fresh process (so its peak RSS is the load's alone): parse and
 *   check every entry, read weights.bin into a fresh wasm heap (several reads in flight, each
 *   straight into a tensor's storage), verify every sha256 before returning. Process start-up
 *   and TF.js initialisation are not timed.
 * - raw load: readFile of the same bytes in a fresh process too (bench/io-load-child.ts raw). All three loads pay the
 *   first-touch page faults of ~256 MiB of fresh memory (the same minor faults each, counted in docs/benchmarks.md:
 *   ours takes them on the thread pool's reads). What bounds ours is the sha256 of every byte,
 *   one sequential hash on the main thread (most of the load's time), which the reads (1 MiB
 *   pieces, 8 in flight) run ahead of; so pre-faulting the heap would only move work the read
 *   threads already do off the main thread.
 * - torch: torch.save does not fsync and neither torch call checksums anything; torch.load
 *   never touches the tensor pages from user space, while ours must read every byte to hash it.
 *   Each round runs torch_io.py once (`--runs 1`) in a fresh process, as ours loads in a fresh
 *   process: within one process, later torch.loads reuse memory the allocator already mapped and
 *   skip the page faults, which a fresh-process load cannot. The peer's figure is the median over
 *   the rounds.
 * Every read comes from the page cache (the file was just written), for all three. Before each
 * timed write all dirty data is written back (untimed `sync`), so no write pays for another's.
 * Lines before the JSON add unofficial figures: ours and raw without fsync (as torch.save), the
 * sha256 throughput on these bytes (the CPU floor our save and load add over raw when the other
 * core is busy), and the machine's load average (the figures are noisy on a shared machine).
 */
import { peersDir } from './peer.js';
import { median } from './stats.js';
import { threadsInUse } from './threads-in-use.js';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend, seedRandom, State } from '../src/index.js';
import { instantiate } from '../src/train.js';

const RUNS = Number(process.env.BENCH_IO_RUNS ?? 3);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const gbPerS = (bytes: number, seconds: number) => Math.round((bytes / seconds / 1e9) * 1000) / 1000;
const log = (line: string) => console.log(line);

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function rawWrite(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes back all dirty data (untimed) so that each timed write starts from a clean page cache:
 * otherwise a write timed right after a no-fsync write also waits for that earlier write's
 * writeback, which in the loop's order would penalise our fsync'd save and not the raw one.
 */
function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

interface ChildLoad {
  seconds: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  rssBefore: number;
  peakRss: number;
}

/** State.load (or, with `raw`, readFile) of `path` in a fresh process. */
function loadInChild(path: string, raw = false): ChildLoad {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/io-load-child.ts'), path, ...(raw ? ['raw'] : [])], { cwd: root, encoding: 'utf8', env: { ...process.env, ARCHBUNDLE_THREADS: String(THREADS) } });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`load child failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(line);
}

interface PeerRun {
  save_gb_per_s: number;
  load_gb_per_s: number;
  load_cpu_s: number;
  bytes: number;
}

function peer(bytes: number, dir: string): PeerRun | undefined {
  const script = join(peersDir(), 'torch_io.py');
  if (!existsSync(script)) throw new Error(`the PyTorch peer ${script} is missing (ARCHBUNDLE_PEERS_DIR=${process.env.ARCHBUNDLE_PEERS_DIR ?? 'unset'})`);
  const env = { ...process.env, OMP_NUM_THREADS: String(THREADS), MKL_NUM_THREADS: String(THREADS) };
  const run = spawnSync('/usr/bin/python3', [script, '--mb', String(bytes / 1e6), '--tensors', '10', '--runs', '1', '--threads', String(THREADS), '--dir', dir], { encoding: 'utf8', env });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    log(`peer torch_io.py failed: ${run.stderr.slice(-500)}`);
    return undefined;
  }
  return JSON.parse(line);
}

const backend = await selectBackend((process.env.ARCHBUNDLE_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
/** The thread count our backend runs (ARCHBUNDLE_THREADS, as bench:train passes it): the load child and the peer get it too. */
const THREADS = threadsInUse();
seedRandom(0);
// 4 dense layers of 4096×4096 float32 plus logits: 256 MiB of weights
const model = instantiate('MLP', { classes: 10, resolution: [1, 64, 64], hidden: [4096, 4096, 4096, 4096] });
const weightBytes = model.parameterCount(false) * 4;
const state = new State(model);
const dir = await mkdtemp(join(tmpdir(), 'archbundle-bench-io-'));
const bundlePath = join(dir, 'model.bundle');
const rawPath = join(dir, 'raw.bin');
const loadAtStart = loadavg().map((l) => l.toFixed(2));
log(`bench:io on ${backend.name} (${THREADS} thread(s)), load average ${loadAtStart.join(' ')}: MLP with ${(weightBytes / 2 ** 20).toFixed(1)} MiB of weights, ${RUNS} runs each, in ${dir}`);

try {
  await state.save(bundlePath); // warm-up, and the bytes the raw runs write
  const bytes = await readFile(bundlePath);
  const size = (await stat(bundlePath)).size;
  const times = { oursSave: [] as number[], rawSave: [] as number[], oursLoad: [] as number[], rawLoad: [] as number[], oursNoSync: [] as number[], rawNoSync: [] as number[], sha256: [] as number[] };
  const peaks: { rssBefore: number; peakRss: number }[] = [];
  /** CPU seconds of each fresh-process load (all threads): less sensitive to a busy machine than the wall time. */
  const cpu = { ours: [] as number[], raw: [] as number[] };
  const peerRuns: PeerRun[] = [];
  for (let run = 0; run < RUNS; run++) {
    settleDisk();
    times.oursSave.push(await timed(() => state.save(bundlePath)));
    settleDisk();
    times.rawSave.push(await timed(() => rawWrite(rawPath, bytes)));
    const load = loadInChild(bundlePath);
    times.oursLoad.push(load.seconds);
    peaks.push(load);
    const rawLoad = loadInChild(rawPath, true);
    times.rawLoad.push(rawLoad.seconds);
    cpu.ours.push(load.cpuUserSeconds + load.cpuSystemSeconds);
    cpu.raw.push(rawLoad.cpuUserSeconds + rawLoad.cpuSystemSeconds);
    settleDisk();
    times.oursNoSync.push(await timed(() => state.save(bundlePath, { fsync: false })));
    settleDisk();
    times.rawNoSync.push(await timed(() => writeFile(rawPath, bytes)));
    times.sha256.push(await timed(async () => createHash('sha256').update(bytes).digest()));
    const torchRun = peer(size, dir);
    if (torchRun) peerRuns.push(torchRun);
  }
  const torch = peerRuns.length === 0 ? undefined : {
    save_gb_per_s: median(peerRuns.map((r) => r.save_gb_per_s)),
    load_gb_per_s: median(peerRuns.map((r) => r.load_gb_per_s)),
    load_cpu_s: median(peerRuns.map((r) => r.load_cpu_s)),
  };
  const extra = Math.max(...peaks.map((p) => p.peakRss - p.rssBefore));
  const result = {
    threads: THREADS,
    load_average: { start: loadAtStart.map(Number), end: loadavg().map((l) => Math.round(l * 100) / 100) },
    bytes: size,
    save: {
      ours_gb_per_s: gbPerS(size, median(times.oursSave)),
      raw_gb_per_s: gbPerS(size, median(times.rawSave)),
      peer_gb_per_s: torch?.save_gb_per_s ?? null,
    },
    load: {
      ours_gb_per_s: gbPerS(size, median(times.oursLoad)),
      raw_gb_per_s: gbPerS(size, median(times.rawLoad)),
      peer_gb_per_s: torch?.load_gb_per_s ?? null,
      ours_cpu_s: Math.round(median(cpu.ours) * 1000) / 1000,
      raw_cpu_s: Math.round(median(cpu.raw) * 1000) / 1000,
      peer_cpu_s: torch?.load_cpu_s ?? null,
    },
    peak_rss_over_weights: Math.round((extra / weightBytes) * 1000) / 1000,
  };
  log(`save s (ours, raw+fsync): ${times.oursSave.map((t) => t.toFixed(3)).join(' ')} | ${times.rawSave.map((t) => t.toFixed(3)).join(' ')}`);
  log(`load s (ours and raw readFile, each in a fresh process): ${times.oursLoad.map((t) => t.toFixed(3)).join(' ')} | ${times.rawLoad.map((t) => t.toFixed(3)).join(' ')}`);
  log(`load peak RSS: ${peaks.map((p) => `${(p.rssBefore / 2 ** 20).toFixed(0)} MiB before → ${(p.peakRss / 2 ** 20).toFixed(0)} MiB peak`).join('; ')}`);
  log(`peak_rss_over_weights = (peak RSS − RSS before the load) / weight bytes; absolute peak / weights = ${(Math.max(...peaks.map((p) => p.peakRss)) / weightBytes).toFixed(3)}`);
  log(`without fsync (as torch.save): ours ${gbPerS(size, median(times.oursNoSync))} GB/s, raw ${gbPerS(size, median(times.rawNoSync))} GB/s, torch ${torch?.save_gb_per_s ?? '-'} GB/s`);
  log(`sha256 of the bundle bytes (one thread): ${gbPerS(size, median(times.sha256))} GB/s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`torch per round (fresh process each): ${peerRuns.length ? peerRuns.map((r) => `save ${r.save_gb_per_s} load ${r.load_gb_per_s}`).join('; ') : 'not available'} GB/s (torch.save does not fsync)`);
  log(`ratios: save ours/raw ${(result.save.ours_gb_per_s / result.save.raw_gb_per_s).toFixed(2)}, load ours/raw ${(result.load.ours_gb_per_s / result.load.raw_gb_per_s).toFixed(2)}`);
  console.log(JSON.stringify(result));
} finally {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
}
