// bench:io's load measurement, in a fresh process so that its peak RSS belongs to the load alone;
// with `raw` after the path, readFile of the same file in the same kind of fresh process (so that
// neither reuses memory an earlier read already faulted in). Prints one JSON line: seconds, the CPU
// time the process spent in it (user and system, all threads), RSS before, and the peak RSS after.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { selectBackend, State } from '../src/index.js';
import { requireThreads, threadsFromEnv } from './threads-in-use.js';

await selectBackend((process.env.ARCHBUNDLE_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
requireThreads(threadsFromEnv()); // the parent's count: a load on another heap kind would not be the one compared
const path = process.argv[2]!;
const raw = process.argv[3] === 'raw';
const rssBefore = process.memoryUsage.rss();
const cpuBefore = process.cpuUsage();
const start = process.hrtime.bigint();
const parameters = raw ? (await readFile(path)).byteLength : (await State.load(path)).model.parameterCount(false);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuBefore);
const peakRss = peakResident();
const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
console.log(JSON.stringify({ seconds, cpuUserSeconds: cpu.user / 1e6, cpuSystemSeconds: cpu.system / 1e6, rssBefore, peakRss, parameters, after: { rss, heapUsed, external, arrayBuffers } }));

/**
 * Peak RSS of this process image. On Linux getrusage's maxRSS also counts the parent's RSS at
 * fork time (it survives exec), so a big parent inflates it; /proc's VmHWM does not.
 */
function peakResident(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
