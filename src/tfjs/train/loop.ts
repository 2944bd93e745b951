/**
 * The epoch loop: a seeded shuffle per epoch, batches, one training step per batch, validation,
 * the scheduler, metrics and progress events. Everything random draws from archbundle's stream,
 * and the stream's state after each epoch is part of the loop state, so a run resumed from a
 * checkpoint continues exactly as the uninterrupted run would have.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';
import type { AugmentationOptions } from '../../core/config.js';
import { makeBatch, permutation, type PreparedData } from '../data/batches.js';
import { getRandomState, nextSeed, setRandomState, uniformGenerator, type RandomState } from '../../core/random.js';
import { evaluateSplit } from './evaluate.js';
import type { TrainingOptimizer, TrainingScheduler } from './types.js';

/** One optimisation step on a batch (x NHWC in [0, 1], y class indices); returns its mean loss and accuracy. */
export type TrainBatch = (x: tf.Tensor4D, y: tf.Tensor1D) => { loss: number; accuracy: number };

export interface EpochMetrics {
  epoch: number;
  step: number;
  loss: number;
  accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  /** Learning rate used during the epoch. */
  learningRate: number;
  imagesPerSecond: number;
  seconds: number;
}

/** Where a run stands after a completed epoch: what a checkpoint must hold to resume. */
export interface LoopState {
  /** Completed epochs. */
  epoch: number;
  /** Completed optimisation steps. */
  step: number;
  random: RandomState;
  history: EpochMetrics[];
}

export type ProgressEvent =
  | { kind: 'epoch-start'; epoch: number; epochs: number; steps: number }
  | {
      kind: 'step';
      epoch: number;
      epochs: number;
      step: number;
      steps: number;
      loss: number;
      accuracy: number;
      imagesPerSecond: number;
      etaSeconds: number;
    }
  | { kind: 'epoch-end'; metrics: EpochMetrics };

export interface LoopOptions {
  model: Classifier;
  optimizer: TrainingOptimizer;
  scheduler: TrainingScheduler | null;
  data: PreparedData;
  trainBatch: TrainBatch;
  epochs: number;
  batchSize: number;
  evalBatchSize: number;
  augmentation: AugmentationOptions;
  /** Continue after this state (its random state is restored); otherwise start at epoch 1 from the current stream. */
  resume?: LoopState;
  onProgress?: (event: ProgressEvent) => void;
  /** Called after each epoch (scheduler stepped, random state captured), e.g. to write a checkpoint. */
  onEpochEnd?: (metrics: EpochMetrics, state: LoopState) => Promise<void> | void;
}

export async function runEpochs(options: LoopOptions): Promise<LoopState> {
  const { model, optimizer, scheduler, data, epochs, batchSize } = options;
  const [channels, height, width] = data.dataset.resolution;
  const state: LoopState = options.resume
    ? { ...options.resume, history: [...options.resume.history] }
    : { epoch: 0, step: 0, random: getRandomState(), history: [] };
  if (options.resume) setRandomState(options.resume.random);
  const steps = Math.ceil(data.train.count / batchSize);
  const augmenting = options.augmentation.flip || options.augmentation.cropPadding > 0;

  for (let epoch = state.epoch + 1; epoch <= epochs; epoch += 1) {
    options.onProgress?.({ kind: 'epoch-start', epoch, epochs, steps });
    const order = permutation(data.train.count, uniformGenerator(nextSeed()));
    const augmentRandom = uniformGenerator(nextSeed());
    const learningRate = optimizer.learningRate;
    const started = performance.now();
    let lossSum = 0;
    let correctSum = 0;
    let seen = 0;
    for (let s = 0; s < steps; s += 1) {
      const indices = order.subarray(s * batchSize, Math.min((s + 1) * batchSize, data.train.count));
      const batch = makeBatch(
        data.train,
        indices,
        data.dataset.resolution,
        augmenting ? { options: options.augmentation, random: augmentRandom } : undefined,
      );
      const x = tf.tensor4d(batch.x, [batch.size, height, width, channels]);
      const y = tf.tensor1d(batch.y, 'int32');
      let result;
      try {
        result = options.trainBatch(x, y);
      } finally {
        x.dispose();
        y.dispose();
      }
      state.step += 1;
      lossSum += result.loss * batch.size;
      correctSum += result.accuracy * batch.size;
      seen += batch.size;
      const elapsed = (performance.now() - started) / 1000;
      const imagesPerSecond = seen / Math.max(elapsed, 1e-9);
      const remainingImages = data.train.count - seen + (epochs - epoch) * data.train.count;
      options.onProgress?.({
        kind: 'step',
        epoch,
        epochs,
        step: s + 1,
        steps,
        loss: lossSum / seen,
        accuracy: correctSum / seen,
        imagesPerSecond,
        etaSeconds: remainingImages / imagesPerSecond,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const validation = data.validation
      ? evaluateSplit(model, data.validation, data.dataset.resolution, data.dataset.classes, options.evalBatchSize)
      : null;
    const metrics: EpochMetrics = {
      epoch,
      step: state.step,
      loss: lossSum / seen,
      accuracy: correctSum / seen,
      val_loss: validation?.loss ?? null,
      val_accuracy: validation?.accuracy ?? null,
      learningRate,
      imagesPerSecond: seen / seconds,
      seconds,
    };
    scheduler?.step(numericMetrics(metrics));
    state.epoch = epoch;
    state.random = getRandomState();
    state.history.push(metrics);
    options.onProgress?.({ kind: 'epoch-end', metrics });
    await options.onEpochEnd?.(metrics, { ...state, history: [...state.history] });
  }
  return state;
}

function numericMetrics(metrics: EpochMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(metrics)) if (typeof value === 'number') out[key] = value;
  return out;
}
