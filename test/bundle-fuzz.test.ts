/**
 * Property tests over hostile bytes: random corruption, truncation and garbage never crash the
 * reader, never leak a tensor, and either fail with an archbundle error code or (when the damage
 * hit bytes the format ignores, such as tar padding) load a model with the original predictions;
 * the same bytes read as a file (at offsets, reads finishing out of order) give the same outcome.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { useTestBackend } from './helpers/backend.js';
import { scrambledFile } from './helpers/memory-file.js';
import { ArchbundleError, seedRandom, readBundle, State, createOptimizer, trainStep } from '../src/index.js';
import { instantiate } from '../src/train.js';

let valid: Uint8Array;
let reference: Buffer;
let x: tf.Tensor;

before(async () => {
  await useTestBackend();
  seedRandom(31);
  const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [4] });
  const optimizer = createOptimizer('SGD', { learningRate: 0.1, momentum: 0.9 });
  x = tf.linspace(0, 1, 32).reshape([2, 4, 4, 1]);
  const y = tf.tensor1d([0, 1], 'int32');
  trainStep(model, optimizer, x, y);
  valid = await new State(model, optimizer, undefined, 1).toBytes();
  reference = predictions(model);
  tf.dispose(y);
  model.dispose();
  optimizer.dispose();
});

function predictions(model: { predict(x: tf.Tensor): tf.Tensor }): Buffer {
  return tf.tidy(() => Buffer.from(model.predict(x).dataSync().buffer));
}

/**
 * Loads `bytes`, streamed and as a file; returns 'ok' (same predictions as the original) or the
 * error code, which must be the same both ways. Asserts no leak and no foreign error.
 */
async function outcome(bytes: Uint8Array): Promise<string> {
  const streamed = await outcomeOf(bytes);
  assert.equal(await outcomeOf(scrambledFile(bytes)), streamed, 'a file and its bytes load alike');
  return streamed;
}

async function outcomeOf(source: Parameters<typeof State.load>[0]): Promise<string> {
  const before = tf.memory().numTensors;
  try {
    const state = await State.load(source);
    const same = predictions(state.model).equals(reference);
    state.model.dispose();
    state.optimizer?.dispose();
    assert.equal(tf.memory().numTensors, before, 'no leak after a load');
    assert.ok(same, 'a bundle that loads despite the damage predicts as the original');
    return 'ok';
  } catch (error) {
    assert.ok(error instanceof ArchbundleError, `only archbundle errors, received ${String(error)}`);
    assert.equal(tf.memory().numTensors, before, `no leak after ${error.code}`);
    return error.code;
  }
}

it('flipping bytes anywhere: an archbundle error or an unchanged model, never a crash or a leak', async () => {
  const codes = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
      async (flips) => {
        const bytes = Uint8Array.from(valid);
        for (const [at, mask] of flips) bytes[at % bytes.length]! ^= mask;
        codes.add(await outcome(bytes));
      },
    ),
    { numRuns: 200, seed: 42 },
  );
  assert.ok(codes.size >= 4, `the damage reached several checks: ${[...codes].join(', ')}`);
});

it('truncating anywhere always fails with an archbundle error', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: valid.length - 1 }), async (length) => {
      const code = await outcome(valid.subarray(0, length));
      assert.notEqual(code, 'ok');
    }),
    { numRuns: 100, seed: 43 },
  );
});

it('arbitrary bytes, and bytes spliced into a valid bundle, fail cleanly in the TF.js-free layer', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.nat(), async (junk, at) => {
      const spliced = Buffer.concat([valid.subarray(0, at % valid.length), junk, valid.subarray(at % valid.length)]);
      // Zeros spliced into the end marker only lengthen tar's own zero padding, which is allowed up to the 10240-byte record.
      const zeroPadding = at % valid.length >= valid.length - 1024 && junk.every((b) => b === 0) && spliced.length <= Math.ceil(valid.length / 10240) * 10240;
      for (const bytes of [junk, spliced]) {
        if (bytes === spliced && zeroPadding) await readBundle(bytes);
        else if (bytes === junk || junk.length > 0) {
          await assert.rejects(readBundle(bytes), (e: unknown) => e instanceof ArchbundleError);
        }
      }
    }),
    { numRuns: 150, seed: 44 },
  );
});
