// Child process for python/tests/test_torch_resume.py and test_write_identity.py: loads a bundle,
// runs `steps` training steps of archbundle's own trainStep on one fixed batch, and saves the
// result, so that PyTorch's steps on the same batch can be compared with archbundle's (0 steps:
// load and save again, for byte identity).
// Usage: node --import tsx test/helpers/torch-train-steps.ts IN.bundle BATCH.json STEPS OUT.bundle
// BATCH.json: {"shape": [n, h, w, c], "x": [flat NHWC floats], "labels": [class indices]}
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, State, trainStep } from '../../src/index.js';

const [source, batchFile, stepsText, target] = process.argv.slice(2);
await selectBackend('cpu');
const batch = JSON.parse(readFileSync(batchFile!, 'utf8')) as { shape: number[]; x: number[]; labels: number[] };
const state = await State.load(source!);
if (!state.optimizer) throw new Error(`${source} holds no optimizer`);
const x = tf.tensor(batch.x, batch.shape, 'float32');
const labels = tf.tensor1d(batch.labels, 'int32');
for (let i = 0; i < Number(stepsText); i++) trainStep(state.model, state.optimizer, x, labels);
await new State(state.model, state.optimizer, state.scheduler, state.epoch, { globalStep: state.globalStep + Number(stepsText), metrics: state.metrics }, state.input).save(target!);
