import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { relativeError, seededValues } from './helpers/compare.js';
import { useTestBackend } from './helpers/backend.js';
import { seedRandom, compileForInference, architectures } from '../src/index.js';
import { instantiate } from '../src/train.js';

const TOLERANCE = 1e-4;

before(useTestBackend);

/** Gives every batch norm non-trivial moving statistics and affine weights, so folding is tested for real. */
function randomiseBatchNorms(model: tf.LayersModel): void {
  let seed = 1;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(layer.getWeights().map((w) => {
      const name = layer.weights[layer.getWeights().indexOf(w)]!.originalName;
      const values = seededValues(w.size, seed++);
      const positive = name.endsWith('variance') || name.endsWith('gamma');
      return tf.tensor(Array.from(values, (v) => (positive ? 0.5 + Math.abs(v) : v)), w.shape);
    }));
  }
}

function assertSameOutputs(model: tf.LayersModel, inputShape: number[], expectFolded?: number): void {
  const x = tf.tensor4d(seededValues(3 * tf.util.sizeFromShape(inputShape), 5), [3, ...inputShape] as [number, number, number, number]);
  const compiled = compileForInference(model);
  try {
    if (expectFolded !== undefined) assert.equal(compiled.folded.batchNorms, expectFolded, 'batch norms folded');
    const reference = tf.tidy(() => (model.apply(x, { training: false }) as tf.Tensor).dataSync());
    const fused = tf.tidy(() => compiled.predict(x).dataSync());
    const error = relativeError(reference, fused);
    assert.ok(error <= TOLERANCE, `fused inference differs from the layers' forward by ${error}`);
  } finally {
    compiled.dispose();
    x.dispose();
  }
}

describe('compileForInference matches the unfused forward', () => {
  it('SimpleNet: every conv + batch norm + ReLU becomes one fused conv', () => {
    seedRandom(2);
    const model = instantiate('SimpleNet', { classes: 10, resolution: [1, 16, 16], channels: 4 }).net;
    randomiseBatchNorms(model);
    const compiled = compileForInference(model);
    assert.deepEqual(compiled.folded, { batchNorms: 11, activations: 11 });
    compiled.dispose();
    assertSameOutputs(model, [16, 16, 1], 11);
    model.dispose();
  });

  it('batch norm without scale or center, strided and dilated convs, a conv with its own activation', () => {
    const input = tf.input({ shape: [11, 10, 3] });
    let x = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ scale: false, center: false, epsilon: 1e-3 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.1 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 4, kernelSize: 2, dilationRate: 2, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
    const branch = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.add().apply([x, branch]) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    randomiseBatchNorms(model);
    // The second batch norm's output feeds two layers: it still folds into its conv, with no activation.
    assertSameOutputs(model, [11, 10, 3], 2);
    model.dispose();
  });

  for (const definition of architectures.list()) {
    const example = (definition.schema.examples as Record<string, unknown>[] | undefined)?.[0];
    it(`${definition.name} (schema example)`, () => {
      seedRandom(4);
      const classifier = instantiate(definition.name, example);
      const [c, h, w] = classifier.args.resolution as number[];
      randomiseBatchNorms(classifier.net);
      assertSameOutputs(classifier.net, [h!, w!, c!]);
      classifier.dispose();
    });
  }
});
