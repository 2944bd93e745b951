/**
 * Seed bundles for the tar target, made in code with a fixed random seed so that every run
 * builds the same bytes: small models of three architectures, with and without optimizer state
 * and scheduler, trained a step so that slots hold values. The repository's old SimpleNet
 * bundle (schema version 1) is added by the target, for the migration path.
 */
import * as tf from '@tensorflow/tfjs';
// The public entries: importing them attaches the built-in architectures, optimizers and schedulers.
import { createOptimizer, createScheduler, seedRandom, State, trainStep } from '../../src/index.js';
import { instantiate } from '../../src/train.js';

interface Recipe {
  name: string;
  class: string;
  args: Record<string, unknown>;
  optimizer?: [string, Record<string, unknown>];
  scheduler?: [string, Record<string, unknown>];
}

const RECIPES: Recipe[] = [
  { name: 'mlp-sgd', class: 'MLP', args: { classes: 3, resolution: [1, 4, 4], hidden: [4] }, optimizer: ['SGD', { learningRate: 0.1, momentum: 0.9 }] },
  { name: 'lenet-adam-steplr', class: 'LeNet', args: { classes: 2, resolution: [1, 12, 12], filters: [2, 3], units: [4] }, optimizer: ['Adam', { learningRate: 0.01 }], scheduler: ['StepLR', { stepSize: 1, gamma: 0.5 }] },
  { name: 'simplenet-bn', class: 'SimpleNet', args: { classes: 2, resolution: [1, 16, 16], channels: 2, normalization: 'bn' } },
];

export async function seedBundles(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const recipe of RECIPES) {
    seedRandom(7);
    const model = instantiate(recipe.class, recipe.args);
    const optimizer = recipe.optimizer && createOptimizer(recipe.optimizer[0], recipe.optimizer[1]);
    const scheduler = recipe.scheduler && optimizer && createScheduler(recipe.scheduler[0], recipe.scheduler[1], optimizer);
    try {
      if (optimizer) {
        const [, h, w] = recipe.args.resolution as number[];
        const x = tf.linspace(0, 1, 2 * h! * w!).reshape([2, h!, w!, 1]);
        const y = tf.tensor1d([0, 1], 'int32');
        trainStep(model, optimizer, x, y);
        tf.dispose([x, y]);
      }
      out.push({ name: recipe.name, bytes: await new State(model, optimizer, scheduler, 1, { globalStep: 1, metrics: [{ loss: 0.5 }] }).toBytes() });
    } finally {
      model.dispose();
      optimizer?.dispose();
    }
  }
  return out;
}
