/**
 * The inference engines behind predict and eval: onnxruntime (the model's ONNX graph built in
 * memory) gives TF.js's logits within 1e-4 for every registered architecture and normalisation;
 * `auto` takes onnxruntime, and falls back to TF.js with the reason when the model has a layer
 * ONNX export does not support; predict and eval report the engine, and eval's accuracy on the
 * main job's test data (Fashion-MNIST's 10,000 test images) is the same through both engines.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { useTestBackend } from './helpers/backend.js';
import { architectureVariants, randomiseNormalizations } from './helpers/architecture-variants.js';
import { float32Bytes, npyBytes } from './helpers/array-files.js';
import { runCli, ROOT } from './helpers/cli.js';
import { relativeError, seededValues } from './helpers/compare.js';
import { LAYER_ZOO, registerOnnxTestArchitectures, UNSUPPORTED } from './helpers/onnx-architectures.js';
import { tempDir } from './helpers/tempdir.js';
import { architectures, inputContract, seedRandom, State } from '../src/index.js';
import { instantiate } from '../src/train.js';
import { openEngine, tfjsEngine } from '../src/node/engine/index.js';

const TOLERANCE = 1e-4;
const dir = tempDir();
registerOnnxTestArchitectures();
before(useTestBackend);

describe('the onnxruntime engine computes TF.js\'s logits', () => {
  for (const name of [...architectures.names().filter((n) => n !== UNSUPPORTED)]) {
    it(name, async () => {
      const variants = name === LAYER_ZOO ? architectureVariants(name).slice(0, 1) : architectureVariants(name).filter((v) => v.label === 'example' || v.label.startsWith('normalization='));
      for (const { label, args } of variants) {
        seedRandom(9);
        const model = instantiate(name, args);
        randomiseNormalizations(model.net);
        const [c, h, w] = model.args.resolution as number[];
        const batch = { x: seededValues(5 * h! * w! * c!, 21), size: 5 };
        const { engine, fallback } = await openEngine(model, { request: 'onnxruntime', threads: 2 });
        try {
          assert.equal(fallback, undefined);
          assert.deepEqual([engine.name, engine.threads], ['onnxruntime', 2]);
          const expected = await tfjsEngine(model).logits(batch);
          const actual = await engine.logits(batch);
          assert.equal(actual.length, 5 * (model.args.classes as number));
          const error = relativeError(expected, actual);
          assert.ok(error <= TOLERANCE, `${name} ${label}: onnxruntime differs from TF.js by ${error} of the largest |logit|`);
          // one example alone gives the same logits as within the batch (the batch dimension is dynamic)
          const single = await engine.logits({ x: batch.x.subarray(0, h! * w! * c!), size: 1 });
          assert.ok(relativeError(actual.subarray(0, single.length), single) <= 1e-6);
        } finally {
          await engine.dispose();
          model.dispose();
        }
      }
    });
  }
});

describe('choosing the engine', () => {
  it('auto takes onnxruntime; tfjs is TF.js', async () => {
    const model = instantiate('MLP', { classes: 3, resolution: [1, 4, 4], hidden: [5] });
    try {
      const auto = await openEngine(model, { threads: 1 });
      assert.deepEqual([auto.engine.name, auto.fallback], ['onnxruntime', undefined]);
      // a batch shorter than its size says: a coded error naming the model, not a crash
      await assert.rejects(auto.engine.logits({ x: new Float32Array(20), size: 2 }), { code: 'E_BACKEND', message: /^onnxruntime engine for MLP: a batch of 2 inputs of \d+x\d+x\d+ needs \d+ float32 values, received 20$/ });
      await auto.engine.dispose();
      const tfjs = await openEngine(model, { request: 'tfjs', threads: 1 });
      assert.equal(tfjs.engine.name, 'tfjs');
    } finally {
      model.dispose();
    }
  });

  it('a layer ONNX cannot express: auto falls back to TF.js and says why; onnxruntime asked for refuses', async () => {
    const model = instantiate(UNSUPPORTED, { classes: 3, resolution: [1, 6, 6] });
    try {
      const auto = await openEngine(model, { request: 'auto', threads: 1 });
      assert.equal(auto.engine.name, 'tfjs');
      assert.match(auto.fallback!, /^layer "up" \(UpSampling2D\) cannot be exported to ONNX/);
      const logits = await auto.engine.logits({ x: new Float32Array(36), size: 1 });
      assert.equal(logits.length, 3);
      await assert.rejects(openEngine(model, { request: 'onnxruntime', threads: 1 }), { code: 'E_EXPORT_UNSUPPORTED' });
    } finally {
      model.dispose();
    }
  });
});

describe('predict and eval through onnxruntime', () => {
  it('predict --engine onnxruntime: TF.js\'s logits within 1e-4, the engine and its threads reported', async () => {
    seedRandom(4);
    const model = instantiate('SimpleNet', { classes: 3, resolution: [1, 16, 16], channels: 4 });
    randomiseNormalizations(model.net);
    await new State(model, undefined, undefined, 0, {}, inputContract({ resolution: [1, 16, 16], labels: ['a', 'b', 'c'] })).save(path.join(dir, 'simple.archbundle'));
    model.dispose();
    const values = Array.from(seededValues(4 * 256, 8), (v) => Math.fround(Math.abs(v)));
    writeFileSync(path.join(dir, 'four.npy'), npyBytes({ descr: '<f4', shape: [4, 16, 16, 1], data: float32Bytes(values) }));
    const env = { ARCHBUNDLE_BACKEND: 'wasm' };
    const predict = async (engine: string) => {
      const run = await runCli(['predict', 'simple.archbundle', 'four.npy', '--json', '--engine', engine, '--threads', '2'], { cwd: dir, env });
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as { engine: string; engineThreads: number | null; predictions: { logits: number[] }[] };
    };
    const [ort, tfjs] = [await predict('onnxruntime'), await predict('tfjs')];
    assert.deepEqual([ort.engine, ort.engineThreads, tfjs.engine], ['onnxruntime', 2, 'tfjs']);
    const error = relativeError(tfjs.predictions.flatMap((p) => p.logits), ort.predictions.flatMap((p) => p.logits));
    assert.ok(error <= TOLERANCE, `predict's logits differ by ${error}`);
    // auto (ARCHBUNDLE_ENGINE unset) is onnxruntime here, and the text says so
    const text = await runCli(['predict', 'simple.archbundle', 'four.npy', '--threads', '2'], { cwd: dir, env: { ...env, ARCHBUNDLE_ENGINE: '' } });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\nengine: onnxruntime \(2 threads\)\n$/);
  });

  it('eval on the main job\'s test data: the same accuracy and confusion matrix through onnxruntime and TF.js', async () => {
    // The main job's model (archbundle.config.json), its batch norms given non-trivial statistics.
    const config = JSON.parse(readFileSync(path.join(ROOT, 'archbundle.config.json'), 'utf8')) as { model: { class: string; args: Record<string, unknown> }; data: { dataset: string } };
    seedRandom(6);
    const model = instantiate(config.model.class, config.model.args);
    randomiseNormalizations(model.net);
    await new State(model, undefined, undefined, 0, {}, inputContract({ resolution: model.args.resolution as [number, number, number], dataset: config.data.dataset })).save(path.join(dir, 'main.archbundle'));
    model.dispose();
    const evaluate = async (engine: string) => {
      const run = await runCli(['eval', 'main.archbundle', '--json', '--engine', engine], { cwd: dir, env: { ARCHBUNDLE_BACKEND: 'wasm' } });
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as { dataset: string; count: number; engine: string; accuracy: number; loss: number; confusion: number[][] };
    };
    const [ort, tfjs] = [await evaluate('onnxruntime'), await evaluate('tfjs')];
    assert.deepEqual([ort.dataset, ort.count, ort.engine, tfjs.engine], ['fashion-mnist', 10_000, 'onnxruntime', 'tfjs']);
    assert.equal(ort.accuracy, tfjs.accuracy);
    assert.deepEqual(ort.confusion, tfjs.confusion);
    assert.ok(Math.abs(ort.loss - tfjs.loss) <= TOLERANCE * tfjs.loss, `loss ${ort.loss} vs ${tfjs.loss}`);
  });
});
