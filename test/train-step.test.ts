import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { countCorrect } from '../src/tfjs/train/accuracy.js';
import { useTestBackend } from './helpers/backend.js';
import { getRandomState, setRandomState } from '../src/core/random.js';
import { registerArchitecture, seedRandom, type Classifier, createOptimizer, createScheduler, trainStep, architectures, optimizers, schedulers } from '../src/index.js';
import { instantiate, evaluateBatch } from '../src/train.js';

before(useTestBackend);

/** A dense network with batch normalisation, to check moving statistics (registered for this file only). */
registerArchitecture<{ classes: number; resolution: [number, number, number] }>({
  name: 'DenseBatchNorm',
  schema: {
    $id: 'urn:archbundle:test:DenseBatchNorm',
    type: 'object',
    properties: {
      classes: { type: 'integer' },
      resolution: { type: 'array', items: { type: 'integer' } },
      bias: { type: 'boolean', default: true },
      clamp: { type: 'boolean', default: false },
      whitening: { type: 'null', default: null },
    },
    required: ['classes', 'resolution'],
    additionalProperties: false,
    examples: [{ classes: 3, resolution: [1, 4, 4] }],
  },
  build(b, args) {
    const { tf: t } = b;
    b.append(t.layers.flatten({ name: 'flatten' }));
    b.append(t.layers.dense({ name: 'fc1', units: 6, kernelInitializer: b.kaimingNormal() }));
    b.append(t.layers.batchNormalization({ name: 'bn1', momentum: 0.9 }));
    b.append(t.layers.dense({ name: 'logits', units: args.classes, kernelInitializer: b.kaimingNormal() }));
  },
});

const MLP = { classes: 3, resolution: [1, 4, 4], hidden: [8], dropout: 0.25 };

function batch(i: number): { x: tf.Tensor4D; labels: tf.Tensor1D } {
  return tf.tidy(() => ({
    x: tf.randomUniform([5, 4, 4, 1], 0, 1, 'float32', 100 + i) as tf.Tensor4D,
    labels: tf.tensor1d([0, 1, 2, 1, 0].map((c) => (c + i) % 3), 'int32'),
  }));
}

function build(seed: number, name = 'MLP', args: object = MLP): Classifier {
  seedRandom(seed);
  return instantiate(name, args);
}

function bits(model: Classifier): number[] {
  return model.namedWeights().flatMap((w) => [...new Uint32Array(w.variable.read().dataSync().slice().buffer)]);
}

function train(model: Classifier, optimizer: ReturnType<typeof createOptimizer>, from: number, to: number): number[] {
  const losses: number[] = [];
  for (let i = from; i < to; i += 1) {
    const { x, labels } = batch(i);
    losses.push(trainStep(model, optimizer, x, labels));
    tf.dispose([x, labels]);
  }
  return losses;
}

describe('trainStep', () => {
  for (const definition of optimizers.list()) {
    const args = (definition.schema.examples as Record<string, unknown>[])[0];
    it(`resumes bit for bit with ${definition.name}: 2k steps == k steps, state into a fresh model and optimizer, k steps`, () => {
      const k = 3;
      const straight = build(7);
      const a = createOptimizer(definition.name, args);
      const straightLosses = train(straight, a, 0, 2 * k);

      const first = build(7);
      const b = createOptimizer(definition.name, args);
      const resumedLosses = train(first, b, 0, k);
      const weights = first.namedWeights().map((w) => w.variable.read().clone());
      const optimizerState = b.getState();
      const random = getRandomState();
      first.dispose();
      b.dispose();

      seedRandom(999); // a loader builds the model from other seeds, then restores everything
      const second = instantiate('MLP', MLP);
      second.namedWeights().forEach((w, i) => w.variable.write(weights[i]!));
      const c = createOptimizer(definition.name, args);
      c.setState(optimizerState, second.namedWeights().filter((w) => w.trainable).map((w) => ({ name: w.name, shape: w.variable.shape as number[] })));
      setRandomState(random);
      resumedLosses.push(...train(second, c, k, 2 * k));

      assert.deepEqual(bits(second), bits(straight), 'weights identical');
      assert.deepEqual(resumedLosses, straightLosses, 'losses identical');
      tf.dispose([...weights, ...optimizerState.tensors.map((t) => t.tensor)]);
      [straight, second].forEach((m) => m.dispose());
      [a, c].forEach((o) => o.dispose());
    });
  }

  it('is deterministic, lowers the loss on a fixed batch and leaks no tensor', () => {
    const { x, labels } = batch(0);
    const run = () => {
      const model = build(3);
      const optimizer = createOptimizer('SGD', { learningRate: 0.2, momentum: 0.9 });
      trainStep(model, optimizer, x, labels);
      const count = tf.memory().numTensors;
      const losses = [];
      for (let i = 0; i < 30; i += 1) losses.push(trainStep(model, optimizer, x, labels));
      assert.equal(tf.memory().numTensors, count, 'no tensor leaked by 30 steps');
      const result = { losses, bits: bits(model) };
      model.dispose();
      optimizer.dispose();
      return result;
    };
    const first = run();
    const second = run();
    assert.deepEqual(second, first, 'same inputs, same bits');
    assert.ok(first.losses[29]! < first.losses[0]! * 0.9, `loss falls: ${first.losses[0]} → ${first.losses[29]}`);
    tf.dispose([x, labels]);
  });

  it('accepts one-hot labels and refuses labels that do not fit the batch', () => {
    const model = build(4);
    const optimizer = createOptimizer('SGD', { learningRate: 0.1 });
    const { x, labels } = batch(1);
    const oneHot = tf.oneHot(labels, 3) as tf.Tensor2D;
    assert.ok(Number.isFinite(trainStep(model, optimizer, x, oneHot)));
    const short = tf.tensor1d([0, 1], 'int32');
    assert.throws(() => trainStep(model, optimizer, x, short), /2 rows for a batch of 5/);
    tf.dispose([x, labels, oneHot, short]);
    model.dispose();
  });

  it('updates batch-norm moving statistics in training mode and not in evaluation', () => {
    const model = build(5, 'DenseBatchNorm', { classes: 3, resolution: [1, 4, 4] });
    const optimizer = createOptimizer('Adam', {});
    const moving = () => model.namedWeights().filter((w) => !w.trainable).map((w) => [w.name, [...w.variable.read().dataSync()]] as const);
    const start = moving();
    assert.deepEqual(start.map(([n]) => n), ['bn1/moving_mean', 'bn1/moving_variance']);
    const { x, labels } = batch(2);
    evaluateBatch(model, x, labels);
    assert.deepEqual(moving(), start, 'evaluation leaves the statistics alone');
    const meanExpected = tf.tidy(() => {
      const fc1 = model.net.getLayer('fc1').apply(tf.reshape(x, [5, 16])) as tf.Tensor;
      return [...tf.mul(tf.mean(fc1, 0), 0.1).dataSync()]; // momentum 0.9 from a zero moving mean
    });
    trainStep(model, optimizer, x, labels);
    const after = moving();
    after[0]![1].forEach((v, i) => assert.ok(Math.abs(v - meanExpected[i]!) < 1e-6, `moving mean ${i}: ${v} vs ${meanExpected[i]}`));
    assert.ok(after[1]![1].every((v, i) => v !== start[1]![1][i]), 'moving variance moved');
    const state = optimizer.getState();
    assert.ok(state.tensors.every((t) => !t.name.includes('moving')), 'no optimizer slot for non-trainable weights');
    tf.dispose([x, labels, ...state.tensors.map((t) => t.tensor)]);
    model.dispose();
    optimizer.dispose();
  });
});

describe('training epochs with every optimizer × scheduler', () => {
  const EPOCHS = 6;
  const STEPS = 2;
  const metrics = (loss: number) => ({ val_loss: loss, val_accuracy: 1 - loss });
  /** Trains epochs [from, to); the scheduler steps after each epoch with that epoch's last loss. */
  const epochs = (model: Classifier, optimizer: ReturnType<typeof createOptimizer>, scheduler: ReturnType<typeof createScheduler>, from: number, to: number) => {
    const rates: number[] = [];
    for (let e = from; e < to; e += 1) {
      rates.push(optimizer.learningRate);
      const losses = train(model, optimizer, e * STEPS, (e + 1) * STEPS);
      scheduler.step(metrics(losses[losses.length - 1]!));
    }
    return rates;
  };

  for (const optimizerDefinition of optimizers.list()) {
    for (const schedulerDefinition of schedulers.list()) {
      const optimizerArgs = (optimizerDefinition.schema.examples as Record<string, unknown>[]).at(-1);
      const schedulerArgs = (schedulerDefinition.schema.examples as Record<string, unknown>[]).at(-1);
      it(`${optimizerDefinition.name} with ${schedulerDefinition.name} resumes after epoch 3 as bundles do, bit for bit`, () => {
        const straight = build(8);
        const a = createOptimizer(optimizerDefinition.name, optimizerArgs);
        const straightRates = epochs(straight, a, createScheduler(schedulerDefinition.name, schedulerArgs, a), 0, EPOCHS);

        const first = build(8);
        const b = createOptimizer(optimizerDefinition.name, optimizerArgs);
        const firstScheduler = createScheduler(schedulerDefinition.name, schedulerArgs, b);
        const rates = epochs(first, b, firstScheduler, 0, 3);
        const saved = {
          weights: first.namedWeights().map((w) => w.variable.read().clone()),
          optimizer: b.getState(),
          learningRate: b.learningRate,
          scheduler: JSON.parse(JSON.stringify(firstScheduler.getState())),
          random: getRandomState(),
        };
        first.dispose();
        b.dispose();

        seedRandom(12345);
        const second = instantiate('MLP', MLP);
        second.namedWeights().forEach((w, i) => w.variable.write(saved.weights[i]!));
        const c = createOptimizer(optimizerDefinition.name, optimizerArgs);
        c.learningRate = saved.learningRate;
        c.setState(saved.optimizer);
        const secondScheduler = createScheduler(schedulerDefinition.name, schedulerArgs, c);
        secondScheduler.setState(saved.scheduler);
        setRandomState(saved.random);
        rates.push(...epochs(second, c, secondScheduler, 3, EPOCHS));

        assert.deepEqual(rates, straightRates, 'learning rates identical');
        assert.deepEqual(bits(second), bits(straight), 'weights identical');
        tf.dispose([...saved.weights, ...saved.optimizer.tensors.map((t) => t.tensor)]);
        [straight, second].forEach((m) => m.dispose());
        [a, c].forEach((o) => o.dispose());
      });
    }
  }
});

describe('trainStep on every registered architecture', () => {
  for (const definition of architectures.list()) {
    const args = (definition.schema.examples as Record<string, unknown>[] | undefined)?.[0];
    it(`${definition.name}: 2k steps == k steps, weights and state into a fresh model and optimizer, k steps`, () => {
      const k = 2;
      const make = (seed: number) => {
        seedRandom(seed);
        return instantiate(definition.name, args);
      };
      const complete = architectures.validate(definition.name, args);
      const [c, h, w] = complete.resolution;
      const classes = complete.classes;
      const data = (i: number) => tf.tidy(() => ({
        x: tf.randomUniform([4, h, w, c], 0, 1, 'float32', 200 + i) as tf.Tensor4D,
        labels: tf.tensor1d([0, 1, 2, 3].map((j) => (j + i) % classes), 'int32'),
      }));
      const run = (model: Classifier, optimizer: ReturnType<typeof createOptimizer>, from: number, to: number) => {
        for (let i = from; i < to; i += 1) {
          const { x, labels } = data(i);
          trainStep(model, optimizer, x, labels);
          tf.dispose([x, labels]);
        }
      };
      const straight = make(21);
      const a = createOptimizer('SGD', { learningRate: 0.05, momentum: 0.9 });
      run(straight, a, 0, 2 * k);

      const first = make(21);
      const b = createOptimizer('SGD', { learningRate: 0.05, momentum: 0.9 });
      run(first, b, 0, k);
      const weights = first.namedWeights().map((nw) => nw.variable.read().clone());
      const state = b.getState();
      const random = getRandomState();
      first.dispose();
      b.dispose();
      const second = make(77);
      second.namedWeights().forEach((nw, i) => nw.variable.write(weights[i]!));
      const d = createOptimizer('SGD', { learningRate: 0.05, momentum: 0.9 });
      d.setState(state, second.namedWeights().filter((nw) => nw.trainable).map((nw) => ({ name: nw.name, shape: nw.variable.shape as number[] })));
      setRandomState(random);
      run(second, d, k, 2 * k);

      assert.deepEqual(bits(second), bits(straight), 'every weight, moving statistics included, identical');
      tf.dispose([...weights, ...state.tensors.map((t) => t.tensor)]);
      [straight, second].forEach((m) => m.dispose());
      [a, d].forEach((o) => o.dispose());
    });
  }
});

describe('evaluateBatch', () => {
  it('counts correct predictions, reports the mean loss and changes nothing', () => {
    const model = build(6);
    const { x, labels } = batch(3);
    const before = bits(model);
    const logits = model.predict(x);
    const predicted = [...logits.argMax(1).dataSync()];
    const truth = [...labels.dataSync()];
    const expectedLoss = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 3), logits).dataSync()[0]!);
    const count = tf.memory().numTensors;
    const result = evaluateBatch(model, x, labels);
    assert.equal(tf.memory().numTensors, count, 'no tensor leaked');
    assert.equal(result.correct, predicted.filter((p, i) => p === truth[i]).length);
    assert.equal(result.count, 5);
    assert.equal(result.loss, expectedLoss);
    assert.deepEqual(bits(model), before);
    tf.dispose([x, labels, logits]);
    model.dispose();
  });
});

describe('countCorrect', () => {
  it('counts the same with class indices and one-hot labels, and takes the first of tied logits', () => {
    const logits = tf.tensor2d([
      [2, 1, 0],
      [0, 3, 3],
      [1, 1, 1],
      [0, 0, 5],
    ]);
    const indices = tf.tensor1d([0, 2, 0, 1], 'int32');
    const oneHot = tf.oneHot(indices, 3).toFloat() as tf.Tensor2D;
    const count = tf.memory().numTensors;
    const fromIndices = countCorrect(logits, indices);
    const fromOneHot = countCorrect(logits, oneHot);
    assert.equal(tf.memory().numTensors, count + 2, 'only the two counts are left');
    assert.equal(fromIndices.dtype, 'int32');
    assert.equal(fromIndices.dataSync()[0], 2);
    assert.equal(fromOneHot.dataSync()[0], 2);
    tf.dispose([logits, indices, oneHot, fromIndices, fromOneHot]);
  });
});
