import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { seedRandom, evaluateSplit, type EpochMetrics, type ProgressEvent, createOptimizer, trainStep } from '../src/index.js';
import { bundlesToPrune, epochBundleName, isBest, writesEpoch } from '../src/node/train/checkpoint-policy.js';
import { accuracyObserver } from '../src/tfjs/train/observe-accuracy.js';
import { instantiate, makeBatch, prepareData, syntheticDataset, runEpochs, evaluateBatch } from '../src/train.js';

const data = prepareData(syntheticDataset({ train: 120, test: 40, classes: 3, resolution: [1, 6, 6], noise: 0.3 }), {
  seed: 1,
  validationSplit: 0.25,
  trainLimit: null,
  testLimit: null,
});
const ARGS = { classes: 3, resolution: [1, 6, 6], hidden: [10] };

function metric(epoch: number, values: Partial<EpochMetrics>): EpochMetrics {
  return { epoch, step: epoch, loss: 1, accuracy: 0, val_loss: null, val_accuracy: null, learningRate: 0.1, imagesPerSecond: 1, seconds: 1, ...values };
}

describe('checkpoint policy', () => {
  const policy = { everyEpochs: 3, keepLast: 2, keepBest: { metric: 'val_loss' as const, mode: 'min' as const } };
  it('writes every N epochs and the last one', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].filter((e) => writesEpoch(policy, e, 7)), [3, 6, 7]);
    assert.equal(epochBundleName(12), 'epoch-0012.archbundle');
  });
  it('prunes all but the newest keepLast; 0 keeps all', () => {
    assert.deepEqual(bundlesToPrune(policy, [3, 6, 9]), [3]);
    assert.deepEqual(bundlesToPrune({ ...policy, keepLast: 0 }, [3, 6, 9]), []);
  });
  it('best by metric and mode; epochs without the metric never count', () => {
    const history = [metric(1, { val_loss: 0.5 }), metric(2, { val_loss: 0.7 })];
    assert.equal(isBest(policy, metric(3, { val_loss: 0.4 }), history), true);
    assert.equal(isBest(policy, metric(3, { val_loss: 0.6 }), history), false);
    assert.equal(isBest(policy, metric(3, { val_loss: null }), history), false);
    assert.equal(isBest({ ...policy, keepBest: { metric: 'accuracy', mode: 'max' } }, metric(3, { accuracy: 0.2 }), [metric(1, { accuracy: 0.1 })]), true);
    assert.equal(isBest({ ...policy, keepBest: null }, metric(1, {}), []), false);
  });
});

describe('epoch loop', () => {
  before(useTestBackend);

  it('evaluateSplit agrees with the training step module on loss and accuracy', () => {
    seedRandom(3);
    const model = instantiate('MLP', ARGS);
    const all = Array.from({ length: data.test.count }, (_, i) => i);
    const batch = makeBatch(data.test, all, [1, 6, 6]);
    const x = tf.tensor4d(batch.x, [batch.size, 6, 6, 1]);
    const y = tf.tensor1d(batch.y, 'int32');
    const reference = evaluateBatch(model, x, y);
    const ours = evaluateSplit(model, data.test, [1, 6, 6], 3, 7);
    assert.ok(Math.abs(ours.loss - reference.loss) < 1e-5, `${ours.loss} vs ${reference.loss}`);
    assert.equal(ours.accuracy, reference.correct / reference.count);
    assert.equal(ours.confusion.flat().reduce((a, b) => a + b, 0), data.test.count);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('the accuracy observer counts the training forward\'s own predictions', () => {
    seedRandom(3);
    const model = instantiate('MLP', ARGS);
    const optimizer = createOptimizer('SGD', { learningRate: 0.1 });
    const batch = makeBatch(data.train, Array.from({ length: 30 }, (_, i) => i), [1, 6, 6]);
    const x = tf.tensor4d(batch.x, [30, 6, 6, 1]);
    const y = tf.tensor1d(batch.y, 'int32');
    const expected = evaluateBatch(model, x, y).correct / 30;
    const observer = accuracyObserver(model);
    const before = tf.memory().numTensors;
    observer.expect(y);
    trainStep(observer.model, optimizer, x, y);
    assert.equal(observer.take(), expected);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it('learns, reports progress, and a resumed loop repeats the same epochs exactly', async () => {
    const run = async (epochs: number, resumeAfter?: number) => {
      seedRandom(5);
      const model = instantiate('MLP', { ...ARGS, dropout: 0.2 });
      const optimizer = createOptimizer('SGD', { learningRate: 0.2, momentum: 0.9 });
      const events: ProgressEvent[] = [];
      const options = {
        model,
        optimizer,
        scheduler: null,
        data,
        epochs,
        batchSize: 16,
        evalBatchSize: 50,
        augmentation: { flip: true, cropPadding: 1 },
        trainBatch: (x: tf.Tensor4D, y: tf.Tensor1D) => ({ loss: trainStep(model, optimizer, x, y), accuracy: NaN }),
        onProgress: (e: ProgressEvent) => events.push(e),
      };
      let state = await runEpochs({ ...options, epochs: resumeAfter ?? epochs });
      if (resumeAfter !== undefined) {
        // Disturb the random stream as a new process would have it, then resume from the saved state.
        seedRandom(999);
        state = await runEpochs({ ...options, resume: state });
      }
      const weights = model.namedWeights().map((w) => Array.from(w.variable.read().dataSync()));
      optimizer.dispose();
      model.dispose();
      return { state, weights, events };
    };
    const straight = await run(4);
    const resumed = await run(4, 2);
    assert.deepEqual(resumed.weights, straight.weights);
    assert.deepEqual(resumed.state.random, straight.state.random);
    assert.equal(straight.state.step, 4 * Math.ceil(90 / 16));
    const losses = straight.state.history.map((m) => m.loss);
    assert.ok(losses[3]! < losses[0]!, `loss falls: ${losses.join(', ')}`);
    assert.ok(straight.state.history[3]!.val_accuracy! > 0.55, `val accuracy ${straight.state.history[3]!.val_accuracy}`);
    const kinds = straight.events.map((e) => e.kind);
    assert.equal(kinds.filter((k) => k === 'epoch-start').length, 4);
    assert.equal(kinds.filter((k) => k === 'step').length, straight.state.step);
    assert.equal(kinds.at(-1), 'epoch-end');
  });
});
