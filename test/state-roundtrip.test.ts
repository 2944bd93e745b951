/**
 * State round trips over the registries: for every registered architecture × optimizer ×
 * scheduler, save → load (no class named) gives bit-identical predictions, the same optimizer and
 * scheduler state, and a next training step with bit-identical weights. New registrations are
 * tested for free.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { getRandomState, setRandomState } from '../src/core/random.js';
import { seedRandom, type Classifier, State, createOptimizer, createScheduler, trainStep, type TrainingOptimizer, architectures, optimizers, schedulers } from '../src/index.js';
import { instantiate } from '../src/train.js';

before(useTestBackend);

const example = (schema: Record<string, unknown>) => ((schema.examples as Record<string, unknown>[] | undefined)?.[0] ?? {});

function bits(t: tf.Tensor): Buffer {
  const data = t.dataSync();
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function weightBits(model: Classifier): Map<string, Buffer> {
  return new Map(model.namedWeights().map((w) => [w.name, bits(w.variable.read())]));
}

function optimizerBits(optimizer: TrainingOptimizer): { step: number; slots: [string, Buffer][] } {
  const state = optimizer.getState();
  const slots = state.tensors.map((t) => [t.name, bits(t.tensor)] as [string, Buffer]);
  tf.dispose(state.tensors.map((t) => t.tensor));
  return { step: state.step, slots };
}

for (const architecture of architectures.list()) {
  describe(`State round trip: ${architecture.name}`, () => {
    it('every optimizer × scheduler: identical predictions, optimizer and scheduler state, and next step', async () => {
      const args = { ...example(architecture.schema), classes: 3 };
      for (const optimizerDefinition of optimizers.list()) {
        for (const schedulerDefinition of schedulers.list()) {
          const label = `${architecture.name} × ${optimizerDefinition.name} × ${schedulerDefinition.name}`;
          const tensorsBefore = tf.memory().numTensors;
          seedRandom(7);
          const model = instantiate(architecture.name, args);
          const [c, h, w] = model.args.resolution as number[];
          const x = tf.randomUniform([2, h!, w!, c!], 0, 1, 'float32', 5);
          const labels = tf.tensor1d([0, 2], 'int32');
          const optimizer = createOptimizer(optimizerDefinition.name, example(optimizerDefinition.schema));
          const scheduler = createScheduler(schedulerDefinition.name, example(schedulerDefinition.schema), optimizer);
          const loss = trainStep(model, optimizer, x, labels);
          scheduler.step({ val_loss: loss, loss });

          const bytes = await new State(model, optimizer, scheduler, 1, { globalStep: 1 }).toBytes();
          const loaded = await State.load(bytes);
          try {
            assert.equal(loaded.model.className, architecture.name, label);
            assert.deepEqual(tf.tidy(() => bits(loaded.model.predict(x))), tf.tidy(() => bits(model.predict(x))), `${label}: predictions`);
            assert.equal(loaded.optimizer!.className, optimizerDefinition.name);
            assert.deepEqual(optimizerBits(loaded.optimizer!), optimizerBits(optimizer), `${label}: optimizer state`);
            assert.equal(loaded.optimizer!.learningRate, optimizer.learningRate, `${label}: learning rate`);
            assert.deepEqual(loaded.scheduler!.getState(), scheduler.getState(), `${label}: scheduler state`);
            assert.equal(loaded.epoch, 1);

            const random = getRandomState();
            trainStep(model, optimizer, x, labels);
            setRandomState(random);
            trainStep(loaded.model, loaded.optimizer!, x, labels);
            assert.deepEqual(weightBits(loaded.model), weightBits(model), `${label}: weights after one more step`);
          } finally {
            tf.dispose([x, labels]);
            for (const m of [model, loaded.model]) m.dispose();
            for (const o of [optimizer, loaded.optimizer!]) o.dispose();
          }
          assert.equal(tf.memory().numTensors, tensorsBefore, `${label}: no tensor leaks`);
        }
      }
    });
  });
}
