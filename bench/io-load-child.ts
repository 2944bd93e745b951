// bench:io's load measurement, in a fresh process so that its peak RSS belongs to the load alone.
// Prints one JSON line: seconds, RSS before the load, and the process's peak RSS after it.
import { readFileSync } from 'node:fs';
import { selectBackend, State } from '../src/index.js';
import { requireThreads, threadsFromEnv } from './threads-in-use.js';

await selectBackend((process.env.ARCHBUNDLE_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
requireThreads(threadsFromEnv()); // the parent's count: a load on another heap kind would not be the one compared
const path = process.argv[2]!;
const rssBefore = process.memoryUsage.rss();
const start = process.hrtime.bigint();
const state = await State.load(path);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const peakRss = peakResident();
const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
console.log(JSON.stringify({ seconds, rssBefore, peakRss, parameters: state.model.parameterCount(false), after: { rss, heapUsed, external, arrayBuffers } }));

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
