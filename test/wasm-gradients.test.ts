import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { relativeError, seededValues, valuesOn } from './helpers/compare.js';
import { seedRandom, selectBackend, architectures } from '../src/index.js';
import { instantiate } from '../src/train.js';

// Whole-model gradients on wasm (with archbundle's kernels) against TF.js's cpu backend.
const TOLERANCE = 1e-3;

before(async () => {
  await selectBackend('cpu');
  await selectBackend('wasm');
});

/** Group normalisation over NHWC (no TF.js layer exists): exercises its reductions' gradients. */
class TestGroupNorm extends tf.layers.Layer {
  static readonly className = 'TestGroupNorm';
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  constructor(private readonly groups: number) {
    super({ name: 'group_norm' });
  }
  override build(shape: tf.Shape | tf.Shape[]): void {
    const channels = (shape as number[])[3]!;
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.constant({ value: 1.5 }));
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.constant({ value: 0.1 }));
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const [n, h, w, c] = x.shape as number[];
      const grouped = tf.reshape(x, [n!, h!, w!, this.groups, c! / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
      const normed = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), x.shape);
      return tf.add(tf.mul(normed, this.gamma.read()), this.beta.read());
    });
  }
  override getClassName(): string {
    return TestGroupNorm.className;
  }
}

/** Every layer kind training our architectures uses: strided conv, depthwise, BN, GN, pools, dropout, dense. */
function kitchenSink(): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', depthwiseInitializer: tf.initializers.glorotNormal({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  x = new TestGroupNorm(2).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 6, kernelSize: 2, padding: 'valid', activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.averagePooling2d({ poolSize: 1 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: 0.3, seed: 4 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

interface Case {
  name: string;
  model: tf.LayersModel;
  inputShape: number[];
  classes: number;
  dispose(): void;
}

function compareGradients(c: Case): void {
  const [h, w, ch] = c.inputShape;
  const batch = 4;
  const xValues = seededValues(batch * h! * w! * ch!, 11);
  const labels = Array.from({ length: batch }, (_, i) => i % c.classes);
  const variables = c.model.trainableWeights.map((v) => v.read() as tf.Variable);
  const gradients = () => {
    seedRandom(9); // the same dropout masks on both backends
    const x = tf.tensor4d(xValues, [batch, h!, w!, ch!]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), c.classes);
    const { grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, c.model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      variables,
    );
    return variables.map((v) => grads[v.name]!);
  };
  const reference = valuesOn('cpu', gradients);
  const actual = valuesOn('wasm', gradients);
  assert.equal(actual.length, variables.length);
  // Errors are relative to each gradient's scale, floored at a thousandth of the model's largest
  // gradient: a bias before a batch norm has a gradient that is zero up to rounding.
  const largest = Math.max(...reference.map((r) => r.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  const errors = c.model.trainableWeights.map((v, i) => ({
    name: v.originalName,
    error: relativeError(reference[i]!, actual[i]!, largest * 1e-3),
  }));
  const failing = errors.filter((e) => !(e.error <= TOLERANCE));
  assert.deepEqual(failing, [], `${c.name}: gradients whose relative error exceeds ${TOLERANCE}`);
}

describe('whole-model gradients on wasm match the cpu backend', () => {
  for (const definition of architectures.list()) {
    const example = (definition.schema.examples as Record<string, unknown>[] | undefined)?.[0];
    it(`${definition.name} (schema example)`, () => {
      assert.ok(example, `${definition.name} needs a schema example`);
      tf.setBackend('wasm');
      seedRandom(3);
      const classifier = instantiate(definition.name, example);
      const [c, h, w] = classifier.args.resolution as number[];
      try {
        compareGradients({
          name: definition.name, model: classifier.net, inputShape: [h!, w!, c!],
          classes: classifier.args.classes as number, dispose: () => classifier.dispose(),
        });
      } finally {
        classifier.dispose();
      }
    });
  }

  it('SimpleNet with group norm, spatial dropout and leaky ReLU', () => {
    tf.setBackend('wasm');
    seedRandom(3);
    const classifier = instantiate('SimpleNet', {
      classes: 10, resolution: [1, 16, 16], channels: 4, normalization: 'gn', dropout: true, activation: 'leaky_relu',
    });
    try {
      compareGradients({ name: 'SimpleNet-gn', model: classifier.net, inputShape: [16, 16, 1], classes: 10, dispose: () => classifier.dispose() });
    } finally {
      classifier.dispose();
    }
  });

  it('strided and depthwise conv, batch and group norm, max/avg/global pooling, dropout, dense', () => {
    tf.setBackend('wasm');
    const model = kitchenSink();
    try {
      compareGradients({ name: 'kitchen sink', model, inputShape: [9, 9, 3], classes: 5, dispose: () => model.dispose() });
    } finally {
      model.dispose();
    }
  });
});
