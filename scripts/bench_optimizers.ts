/**
 * Time of one optimizer update for an MLP-sized parameter set (784-256-128-10, 235,146 weights),
 * archbundle's optimizers beside TF.js's built-in ones with the nearest settings.
 *   npx tsx scripts/bench_optimizers.ts [wasm|cpu]
 * Prints one JSON line per optimizer.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendRequest, createOptimizer } from '../src/index.js';

const REPEATS = 30;
const SHAPES = [[784, 256], [256], [256, 128], [128], [128, 10], [10]];

await selectBackend((process.argv[2] ?? 'wasm') as BackendRequest);
const variables = SHAPES.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i), true, `bench${i}`));
const gradients = SHAPES.map((s, i) => tf.randomNormal(s, 0, 0.01, 'float32', 10 + i));
const parameters = SHAPES.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);

function timeIt(update: () => void): number {
  update();
  variables[0]!.dataSync();
  const start = performance.now();
  for (let r = 0; r < REPEATS; r += 1) update();
  variables[0]!.dataSync();
  return (performance.now() - start) / REPEATS;
}

const builtins: Record<string, () => tf.Optimizer> = {
  SGD: () => tf.train.momentum(0.1, 0.9),
  Adam: () => tf.train.adam(0.001),
  AdamW: () => tf.train.adam(0.001),
  RMSprop: () => tf.train.rmsprop(0.01),
};
for (const name of Object.keys(builtins)) {
  const ours = createOptimizer(name, name === 'SGD' ? { learningRate: 0.1, momentum: 0.9 } : {});
  const oursMs = timeIt(() => ours.applyGradients(variables.map((variable, i) => ({ name: `w${i}`, variable, gradient: gradients[i]! }))));
  const builtin = builtins[name]!();
  const byName = Object.fromEntries(variables.map((v, i) => [v.name, gradients[i]!]));
  const builtinMs = timeIt(() => builtin.applyGradients(byName));
  console.log(JSON.stringify({ backend: tf.getBackend(), optimizer: name, parameters, oursMsPerUpdate: +oursMs.toFixed(2), tfjsMsPerUpdate: +builtinMs.toFixed(2) }));
  ours.dispose();
  builtin.dispose();
}
