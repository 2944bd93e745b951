/**
 * Layer for layer: the seed's PyTorch models (scripts/torch_seed_models.py) with random weights
 * and batch-norm statistics, saved by
 *   /usr/bin/python3 scripts/torch_reference_outputs.py
 * into test/fixtures/torch-reference/. Every PyTorch tensor must have exactly one archbundle
 * weight of the same name (module path) and shape, and with those weights loaded our logits must
 * equal PyTorch's in evaluation mode. This covers normalisation, padding of strided
 * convolutions, pooling, activations, clamp and the residual wiring.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { instantiate } from '../src/index.js';
import { useTestBackend } from './helpers/backend.js';
import { fromTorchLayout, torchKey } from './helpers/torch-names.js';

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
}

const dir = new URL('./fixtures/torch-reference/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('archbundle models compute what the seed PyTorch models compute', () => {
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
        const actual = logits.dataSync();
        const scale = Math.max(1, ...fixture.logits.values.map(Math.abs));
        fixture.logits.values.forEach((expected, i) => {
          assert.ok(Math.abs(actual[i]! - expected) <= 1e-4 * scale, `logit ${i}: ${actual[i]} vs PyTorch ${expected}`);
        });
        tf.dispose([nchw, x, logits]);
      } finally {
        model.dispose();
      }
    });
  }
});
