/**
 * Writes test/fixtures/simplenet-v1-16x16.bundle and its expectations (…-16x16.json): a tiny
 * SimpleNet at 16×16 saved under schema version 1, whose weight names still carry the fixed block
 * numbers (conv11..conv13 for the last three blocks). It only makes sense with the code of that
 * version; it is kept in the history of the commit that added the fixture.
 *
 *   npx tsx scripts/make-simplenet-v1-fixture.ts
 */
import { writeFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer, selectBackend, seedRandom, State, trainStep } from '../src/index.js';
import { instantiate } from '../src/train.js';

const out = new URL('../test/fixtures/', import.meta.url);
const backend = 'wasm';
await selectBackend(backend);

// A fixed batch that needs no random stream: multiples of 1/256 are exact in float32, and a
// period of 251 (prime) makes every sample of the batch different.
const shape: [number, number, number, number] = [4, 16, 16, 1];
const input = Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => ((i * 37) % 251) / 256);
const labels = [0, 1, 2, 0];
const x = tf.tensor4d(input, shape);
const y = tf.tensor1d(labels, 'int32');

seedRandom(7);
const model = instantiate('SimpleNet', { classes: 3, resolution: [1, 16, 16], channels: 2, normalization: 'bn' });
const optimizer = createOptimizer('SGD', { learningRate: 0.05, momentum: 0.9, weightDecay: 0.001 });
for (let step = 0; step < 2; step++) trainStep(model, optimizer, x, y);
const bundle = await new State(model, optimizer, undefined, 1, { globalStep: 2 }).toBytes();
const logits = Array.from(model.predict(x).dataSync());
// What one more step gives without a save and load in between: a resumed run must match it.
trainStep(model, optimizer, x, y);
const logitsAfterStep = Array.from(model.predict(x).dataSync());

const expected = {
  backend,
  input: { shape, values: input },
  labels,
  logits: { shape: [shape[0], 3], values: logits },
  logitsAfterStep: { shape: [shape[0], 3], values: logitsAfterStep },
};
await writeFile(new URL('simplenet-v1-16x16.bundle', out), bundle);
await writeFile(new URL('simplenet-v1-16x16.json', out), `${JSON.stringify(expected)}\n`);
tf.dispose([x, y]);
optimizer.dispose();
model.dispose();
