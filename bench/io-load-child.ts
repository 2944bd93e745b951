// bench:io's load measurement, in a fresh process so that its peak RSS belongs to the load alone.
// Prints one JSON line: seconds, RSS before the load, and the process's peak RSS after it.
import { selectBackend } from '../src/backend/select.js';
import '../architectures/index.js';
import { State } from '../src/state.js';

await selectBackend((process.env.ARCHBUNDLE_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');
const path = process.argv[2]!;
const rssBefore = process.memoryUsage.rss();
const start = process.hrtime.bigint();
const state = await State.load(path);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const peakRss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ seconds, rssBefore, peakRss, parameters: state.model.parameterCount(false) }));
