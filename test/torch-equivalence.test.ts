/**
 * Layer for layer: the reference implementation's PyTorch models
 * (scripts/torch_reference_models.py) with random weights and batch-norm statistics (and, without
 * dropout, training-mode logits and gradients), saved by
 *   /usr/bin/python3 scripts/torch_reference_outputs.py
 * into test/fixtures/torch-reference/. Every PyTorch tensor must have exactly one archbundle
 * weight of the same name (module path) and shape, and with those weights loaded our logits must
 * equal PyTorch's in evaluation mode, and in training mode logits, loss and every gradient too.
 * This covers normalisation, padding of strided convolutions, pooling, activations, clamp, the
 * residual wiring, and the backward pass of the backend under test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { fromTorchLayout, torchKey } from './helpers/torch-names.js';
import { instantiate } from '../src/train.js';

before(useTestBackend);

interface Stored {
  shape: number[];
  values: number[];
}
interface Fixture {
  class: string;
  args: Record<string, unknown>;
  state: Record<string, Stored>;
  input: Stored;
  logits: Stored;
  /** Absent for models with dropout (its masks are random in both frameworks). */
  train: { labels: number[]; loss: number; logits: Stored; grads: Record<string, Stored> } | null;
}

/** Every element within `tolerance` of the largest expected magnitude (plus a float32 floor). */
function assertClose(actual: ArrayLike<number>, expected: number[], tolerance: number, what: string): void {
  const scale = Math.max(...expected.map(Math.abs));
  expected.forEach((e, i) => {
    assert.ok(Math.abs(actual[i]! - e) <= tolerance * scale + 1e-6, `${what}[${i}]: ${actual[i]} vs PyTorch ${e} (scale ${scale})`);
  });
}

const dir = new URL('./fixtures/torch-reference/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe("archbundle models compute what the reference implementation's PyTorch models compute", () => {
  it('has reference fixtures', () => assert.ok(files.length >= 6));

  for (const file of files) {
    it(file.replace(/\.json$/, ''), () => {
      const fixture = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Fixture;
      const model = instantiate(fixture.class, fixture.args);
      try {
        const ours = model.namedWeights();
        const oursByKey = new Map(ours.map((w) => [torchKey(w.name), w]));
        assert.deepEqual([...oursByKey.keys()].sort(), Object.keys(fixture.state).sort(), 'same tensors by name');
        for (const [key, stored] of Object.entries(fixture.state)) {
          const weight = oursByKey.get(key)!;
          const value = fromTorchLayout(stored.values, stored.shape);
          assert.deepEqual(value.shape, weight.variable.shape, `${key} shape`);
          weight.variable.write(value);
          value.dispose();
        }
        const nchw = tf.tensor(fixture.input.values, fixture.input.shape);
        const x = tf.transpose(nchw, [0, 2, 3, 1]);
        const logits = model.predict(x);
        assert.deepEqual(logits.shape, fixture.logits.shape);
        assertClose(logits.dataSync(), fixture.logits.values, 1e-4, 'logits');
        tf.dispose([nchw, logits]);

        if (fixture.train) {
          const { train } = fixture;
          const labels = tf.oneHot(tf.tensor1d(train.labels, 'int32'), fixture.args.classes as number);
          const trainable = ours.filter((w) => w.trainable);
          const { value: loss, grads } = tf.variableGrads(() => {
            const trainLogits = model.forward(x, true);
            assertClose(trainLogits.dataSync(), train.logits.values, 1e-4, 'training-mode logits');
            return tf.losses.softmaxCrossEntropy(labels, trainLogits) as tf.Scalar;
          }, trainable.map((w) => w.variable.read() as tf.Variable));
          assert.ok(Math.abs(loss.dataSync()[0]! - train.loss) < 1e-4 * Math.max(1, train.loss), 'loss');
          assert.deepEqual(trainable.map((w) => torchKey(w.name)).sort(), Object.keys(train.grads).sort(), 'gradients for the same parameters');
          for (const w of trainable) {
            const stored = train.grads[torchKey(w.name)]!;
            const expected = fromTorchLayout(stored.values, stored.shape);
            assertClose(grads[(w.variable.read() as tf.Variable).name]!.dataSync(), Array.from(expected.dataSync()), 1e-3, `gradient of ${w.name}`);
            expected.dispose();
          }
          tf.dispose([labels, loss, ...Object.values(grads)]);
        }
        x.dispose();
      } finally {
        model.dispose();
      }
    });
  }
});
