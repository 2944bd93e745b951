import * as tf from '@tensorflow/tfjs';
import { createModel, registerArchitecture, selectBackend, seedRandom, ValidationError } from 'archbundle';
import { tinyCnn } from './tiny-cnn.js';
import './types.js';

registerArchitecture(tinyCnn);
await selectBackend(process.env.ARCHBUNDLE_BACKEND === 'cpu' ? 'cpu' : 'wasm');
seedRandom(42);

// Typed: the editor completes the arguments; defaults (bias, kernelSize, ...) are filled in.
const model = createModel('TinyCNN', { classes: 3, resolution: [1, 8, 8], filters: 4 });
const logits = model.predict(tf.zeros([2, 8, 8, 1]));

/** The JSON pointers a ValidationError names. */
function rejected(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => issue.pointer);
    throw error;
  }
  return [];
}
const wrongType = rejected(() =>
  // @ts-expect-error: 'filters' must be a number: a compile error, and a ValidationError at run time.
  createModel('TinyCNN', { classes: 3, resolution: [1, 8, 8], filters: 'four' }),
);
const failedCheck = rejected(() => createModel('TinyCNN', { classes: 3, resolution: [1, 4, 4], kernelSize: 5 }));

console.log(JSON.stringify({
  args: model.args,
  shape: logits.shape,
  weights: model.namedWeights().map((w) => w.name),
  rejected: [...wrongType, ...failedCheck],
}));
