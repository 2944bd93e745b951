/**
 * A/B of the chunked filter gradient inside whole SimpleNet training steps (c=16, batch 128):
 * steps alternate between chunked and one-convolution filter gradients in the same process, so
 * both see the same machine load. Prints the median ms per step of each.
 *
 *   node --import tsx bench/ab-filter-chunks.ts
 */
import { selectBackend, trainStep } from '../src/index.js';
import { filterGradientChunking } from '../src/tfjs/backend/wasm-kernels/conv2d-backprop-filter.js';
import { simpleNetWorkload } from './simplenet-workload.js';
await selectBackend();
const { model, x, labels, optimizer: opt } = simpleNetWorkload();
trainStep(model, opt, x, labels);
const times: Record<string, number[]> = { chunked: [], whole: [] };
for (let r = 0; r < 8; r++) {
  for (const mode of ['chunked', 'whole']) {
    filterGradientChunking.dyElements = mode === 'chunked' ? 400_000 : 1e12;
    const t0 = performance.now(); trainStep(model, opt, x, labels); times[mode]!.push(performance.now() - t0);
  }
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!.toFixed(0);
console.log(`median ms/step: chunked ${med(times.chunked!)}, whole ${med(times.whole!)}; chunked ${times.chunked!.map((t) => t.toFixed(0))} whole ${times.whole!.map((t) => t.toFixed(0))}`);
