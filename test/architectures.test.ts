import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { compileSchema } from '../src/core/validate.js';
import { seedRandom, ValidationError, architectures } from '../src/index.js';
import { instantiate } from '../src/train.js';

before(useTestBackend);

for (const definition of architectures.list()) {
  const example = (definition.schema.examples as Record<string, unknown>[] | undefined)?.[0];

  describe(`architecture ${definition.name}`, () => {
    it('has a schema example to build', () => {
      assert.ok(example, `${definition.name} schema needs "examples": [minimal arguments]`);
    });

    it('schema compiles under strict ajv and its example validates with defaults filled', () => {
      compileSchema(definition.schema);
      const complete = architectures.validate(definition.name, example);
      for (const key of Object.keys(definition.schema.properties as object)) {
        assert.ok(key in complete, `default for ${key} is filled`);
      }
    });

    it('builds, outputs [batch, classes] without NaN', () => {
      seedRandom(1);
      const model = instantiate(definition.name, example);
      try {
        const [c, h, w] = model.args.resolution as number[];
        const x = tf.randomUniform([2, h!, w!, c!], 0, 1, 'float32', 7);
        const y = model.predict(x);
        assert.deepEqual(y.shape, [2, model.args.classes]);
        assert.ok(!y.isNaN().any().dataSync()[0], 'no NaN in logits');
        tf.dispose([x, y]);
      } finally {
        model.dispose();
      }
    });

    it('one training step changes every trainable weight', () => {
      seedRandom(2);
      const model = instantiate(definition.name, example);
      try {
        const [c, h, w] = model.args.resolution as number[];
        const classes = model.args.classes as number;
        const x = tf.randomUniform([4, h!, w!, c!], 0, 1, 'float32', 3);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3].map((i) => i % classes), 'int32'), classes);
        const before = model.namedWeights().filter((w) => w.trainable).map((w) => [w.name, w.variable.read().clone()] as const);
        const optimizer = tf.train.sgd(0.1);
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.forward(x, true)) as tf.Scalar);
        const unchanged = before.filter(([name, old]) => {
          const now = model.namedWeights().find((w) => w.name === name)!.variable.read();
          return tf.equal(now, old).all().dataSync()[0] === 1;
        }).map(([name]) => name);
        assert.deepEqual(unchanged, [], 'every trainable weight moved');
        tf.dispose([x, labels, ...before.map(([, t]) => t)]);
        optimizer.dispose();
      } finally {
        model.dispose();
      }
    });

    it('rejects invalid arguments, naming the pointer', () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ ...example, classes: 'ten' }, '/classes'],
        [{ ...example, classes: 0 }, '/classes'],
        [{ ...example, unknownKey: 1 }, '/unknownKey'],
        [{ ...example, resolution: [1, 28] }, '/resolution'],
      ];
      for (const [args, pointer] of cases) {
        assert.throws(
          () => architectures.validate(definition.name, args),
          (e: unknown) => e instanceof ValidationError && e.code === 'E_INVALID_ARGS' && e.issues.some((i) => i.pointer === pointer),
          `${JSON.stringify(args)} fails at ${pointer}`,
        );
      }
    });
  });
}
