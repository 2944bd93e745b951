/**
 * The PyTorch mappings (architectures/<name>/torch.json, architectures/torch-layers.json) for
 * every registered architecture: they follow their published schemas, every archbundle weight of
 * a built model has a PyTorch name, and archbundle → PyTorch → archbundle is bit-exact in names,
 * shapes and values (layouts, flattened inputs and the single logit included).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { useTestBackend } from './helpers/backend.js';
import { compileSchema } from '../src/core/validate.js';
import { architectures } from '../src/index.js';
import { instantiate } from '../src/train.js';
import { TORCH_LAYER_KINDS, type TorchMapping } from '../src/core/torch/mapping.js';
import { inversePermutation, permute } from '../src/core/torch/permute.js';
import { TorchWeightNames } from '../src/core/torch/weight-names.js';
import { flattenedInputShapes } from '../src/tfjs/import/flattened-input.js';

before(useTestBackend);

const schema = (name: string) => JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8'));

describe('PyTorch mappings', () => {
  it('architectures/torch-layers.json follows its schema', () => {
    const validate = compileSchema(schema('torch-layers.schema.json'));
    const file = JSON.parse(readFileSync(new URL('../architectures/torch-layers.json', import.meta.url), 'utf8'));
    assert.ok(validate(file), JSON.stringify(validate.errors));
    assert.ok(Object.keys(TORCH_LAYER_KINDS).length >= 3);
  });

  const validateMapping = compileSchema(schema('torch-mapping.schema.json'));
  for (const spec of architectures.list()) {
    describe(spec.name, () => {
      it('has a torch.json that follows its schema and names its class', () => {
        assert.ok(spec.torch, `${spec.name} needs architectures/<name>/torch.json`);
        assert.ok(validateMapping(spec.torch), JSON.stringify(validateMapping.errors));
        assert.equal(spec.torch.class, spec.name);
        for (const rule of spec.torch.modules) assert.ok(Object.hasOwn(TORCH_LAYER_KINDS, rule.kind), `kind ${rule.kind}`);
      });

      const examples = (spec.schema.examples as Record<string, unknown>[] | undefined) ?? [];
      for (const [i, example] of [...examples, { ...examples[0], classes: 2 }].entries()) {
        it(`example ${i}: every weight goes to PyTorch and back bit-exactly`, () => {
          const model = instantiate(spec.name, example);
          try {
            const names = new TorchWeightNames(spec.torch as TorchMapping);
            const context = { classes: model.args.classes as number, flattenedInput: flattenedInputShapes(model) };
            const keys = new Set<string>();
            for (const w of model.namedWeights()) {
              const values = w.variable.read().dataSync() as Float32Array;
              const torch = names.toTorch(w.name, { shape: [...w.variable.shape] as number[], values }, context);
              assert.ok(!keys.has(torch.key), `${torch.key} is unique`);
              keys.add(torch.key);
              const back = names.toArchbundle(torch.key, torch, context);
              assert.equal(back.name, w.name);
              assert.deepEqual(back.shape, w.variable.shape);
              const module = w.name.slice(0, w.name.lastIndexOf('/'));
              if (context.classes === 2 && spec.torch?.reference?.singleLogit === module) {
                // One logit z = b - a goes back as [0, z]: the same softmax, not the same numbers.
                assert.equal(torch.shape.at(w.variable.shape.length === 2 ? 0 : -1), 1, 'PyTorch has one output');
                back.values.forEach((v, j) => assert.equal(v, j % 2 === 0 ? 0 : Math.fround(values[j]! - values[j - 1]!)));
              } else {
                assert.deepEqual(back.values, values, `${w.name} values`);
              }
            }
            for (const extra of names.exportedExtras(model.namedWeights().map((w) => w.name))) assert.ok(!keys.has(extra.key), extra.key);
          } finally {
            model.dispose();
          }
        });
      }
    });
  }
});

describe('axis permutations', () => {
  it('permute then its inverse gives the input back, for any shape and permutation', () => {
    const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(shapes.chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length }))), ([shape, perm]) => {
        const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
        const there = permute(values, shape, perm);
        assert.deepEqual(there.shape, perm.map((p) => shape[p]));
        const back = permute(there.values, there.shape, inversePermutation(perm));
        assert.deepEqual(back.shape, shape);
        assert.deepEqual(back.values, values);
      }),
    );
  });

  it('OIHW → HWIO moves element [o, i, h, w] to [h, w, i, o]', () => {
    const shape = [2, 3, 2, 2];
    const values = Float32Array.from({ length: 24 }, (_, i) => i);
    const { values: out, shape: outShape } = permute(values, shape, [2, 3, 1, 0]);
    assert.deepEqual(outShape, [2, 2, 3, 2]);
    const at = (o: number, i: number, h: number, w: number) => ((o * 3 + i) * 2 + h) * 2 + w;
    const outAt = (h: number, w: number, i: number, o: number) => ((h * 2 + w) * 3 + i) * 2 + o;
    assert.equal(out[outAt(1, 0, 2, 1)], values[at(1, 2, 1, 0)]);
  });
});
