/**
 * `archbundle export --to onnx`: for every registered architecture and every option its schema
 * offers (normalisation bn/gn/none, activations, pooling, blocks, dropout, clamp and whitening
 * ...), the ONNX file passes Debian's python3-onnx checker (full_check) and onnxruntime computes
 * TF.js's logits within 1e-4 of the largest |logit|, on random inputs and non-trivial batch and
 * group norm statistics. A user architecture built from the other layer kinds exports too; a
 * layer ONNX export does not support is refused by name.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { useTestBackend } from './helpers/backend.js';
import { architectureVariants, randomiseNormalizations } from './helpers/architecture-variants.js';
import { runCli } from './helpers/cli.js';
import { relativeError, seededValues } from './helpers/compare.js';
import { checkOnnxFiles } from './helpers/onnx-check.js';
import { LAYER_ZOO, registerOnnxTestArchitectures, UNSUPPORTED } from './helpers/onnx-architectures.js';
import { tempDir } from './helpers/tempdir.js';
import { architectures, ArchbundleError, compileForInference, inputContract, seedRandom, State } from '../src/index.js';
import { instantiate, type Classifier } from '../src/train.js';
import { bufferIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';
import { onnxGraphOf, onnxGraphOfNet } from '../src/tfjs/export/onnx/model-to-onnx.js';
import { ONNX_ARCH_METADATA_KEY, onnxModelBytes } from '../src/tfjs/export/onnx/model-bytes.js';

const TOLERANCE = 1e-4;
const dir = tempDir();
registerOnnxTestArchitectures();
before(useTestBackend);

/** onnxruntime's logits for `x` (NHWC) from the ONNX file's bytes, as a user runs the exported file. */
async function onnxruntimeLogits(file: string, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, shape) });
    return Float32Array.from(out.logits!.data as Float32Array);
  } finally {
    await session.release();
  }
}

interface Exported {
  file: string;
  label: string;
  shape: [number, number, number];
  classes: number;
}

/** Writes `model`'s ONNX file and checks onnxruntime's logits against TF.js's predict on 3 random inputs. */
async function exportAndCompare(model: Classifier, label: string): Promise<Exported> {
  randomiseNormalizations(model.net);
  const [c, h, w] = model.args.resolution as [number, number, number];
  const file = path.join(dir, `${model.className}-${label.replace(/[^a-z0-9]+/gi, '_')}.onnx`);
  writeFileSync(file, onnxModelBytes(model));
  const x = seededValues(3 * h * w * c, 11);
  const expected = tf.tidy(() => model.predict(tf.tensor4d(x, [3, h, w, c])).dataSync());
  const actual = await onnxruntimeLogits(file, x, [3, h, w, c]);
  const error = relativeError(expected, actual);
  assert.ok(error <= TOLERANCE, `${model.className} ${label}: onnxruntime's logits differ from TF.js's by ${error} of the largest |logit|`);
  return { file, label, shape: [h, w, c], classes: model.args.classes as number };
}

/** onnx.checker (full_check) accepts every file, each declares input NHWC with a symbolic batch and logits, opset 17. */
async function assertValidOnnx(exported: Exported[]): Promise<void> {
  const checked = await checkOnnxFiles(exported.map((e) => e.file));
  for (const { file, label, shape, classes } of exported) {
    const result = checked[file]!;
    assert.equal(result.error, null, `${label}: onnx.checker refuses ${path.basename(file)}`);
    assert.deepEqual(result.opset, [17]);
    assert.deepEqual(result.inputs, [['input', ['batch', ...shape]]], label);
    assert.deepEqual(result.outputs, [['logits', ['batch', classes]]], label);
  }
}

describe('ONNX export of every registered architecture, with every option', () => {
  for (const name of architectures.names().filter((n) => n !== LAYER_ZOO && n !== UNSUPPORTED)) {
    it(name, async () => {
      const exported: Exported[] = [];
      for (const variant of architectureVariants(name)) {
        seedRandom(7);
        const model = instantiate(name, variant.args);
        try {
          exported.push(await exportAndCompare(model, variant.label));
        } finally {
          model.dispose();
        }
      }
      assert.ok(exported.length >= 2, 'the schema offers options');
      await assertValidOnnx(exported);
    });
  }
});

describe('ONNX export: folding and the other layer kinds', () => {
  it('SimpleNet with batch norm: every batch norm folded into its convolution, as compileForInference folds them', async () => {
    seedRandom(1);
    const model = instantiate('SimpleNet', { classes: 10, resolution: [1, 16, 16], channels: 4, normalization: 'bn' });
    try {
      const compiled = compileForInference(model.net);
      const foldedByCompile = compiled.folded.batchNorms;
      compiled.dispose();
      const graph = onnxGraphOf(model);
      const batchNorms = model.net.layers.filter((l) => l.getClassName() === 'BatchNormalization').length;
      assert.equal(foldedByCompile, batchNorms);
      assert.deepEqual(graph.nodes.filter((n) => n.opType === 'Mul' || n.opType === 'Add').map((n) => n.name), [], 'no batch norm left as Mul/Add');
      assert.equal(graph.nodes.filter((n) => n.opType === 'Conv').length, model.net.layers.filter((l) => l.getClassName() === 'Conv2D').length);
    } finally {
      model.dispose();
    }
  });

  it(`a user architecture of the other layer kinds (${LAYER_ZOO}) exports and computes TF.js's outputs`, async () => {
    seedRandom(2);
    const model = instantiate(LAYER_ZOO, (architectures.get(LAYER_ZOO).schema.examples as unknown[])[0]);
    try {
      const exported = await exportAndCompare(model, 'zoo');
      await assertValidOnnx([exported]);
      const ops = new Set(onnxGraphOf(model).nodes.map((n) => n.opType));
      for (const op of ['Conv', 'Clip', 'Pad', 'AveragePool', 'Concat', 'GlobalMaxPool', 'GlobalAveragePool', 'Sum', 'Mean', 'Max', 'Min', 'Mul', 'LeakyRelu', 'Elu', 'Selu', 'Softplus', 'HardSigmoid', 'Softmax', 'Tanh', 'Sigmoid', 'Gemm']) {
        assert.ok(ops.has(op), `the zoo exercises ${op}`);
      }
    } finally {
      model.dispose();
    }
  });
});

describe('ONNX export refuses what it cannot express, by name', () => {
  it('a layer without a converter: E_EXPORT_UNSUPPORTED naming the layer, its class and what is supported', () => {
    const model = instantiate(UNSUPPORTED, { classes: 3, resolution: [1, 6, 6] });
    try {
      assert.throws(() => onnxModelBytes(model), (error: unknown) => {
        assert.ok(error instanceof ArchbundleError);
        assert.equal(error.code, 'E_EXPORT_UNSUPPORTED');
        assert.match(error.message, /^layer "up" \(UpSampling2D\) cannot be exported to ONNX: no converter for UpSampling2D; expected one of Conv2D, Dense, /);
        return true;
      });
    } finally {
      model.dispose();
    }
  });

  it('a layer applied twice, and a model whose input is not an image', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const shared = tf.layers.activation({ name: 'shared', activation: 'relu' });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const twice = shared.apply(tf.layers.dense({ units: 2 }).apply(shared.apply(flat) as tf.SymbolicTensor)) as tf.SymbolicTensor;
    const reusing = tf.model({ inputs: input, outputs: twice });
    assert.throws(() => onnxGraphOfNet(reusing, 'Reusing'), { code: 'E_EXPORT_UNSUPPORTED', message: 'layer "shared" (Activation) cannot be exported to ONNX: it is applied 2 times; expected each layer applied once' });
    const vector = tf.input({ shape: [5] });
    const flatModel = tf.model({ inputs: vector, outputs: tf.layers.dense({ units: 2 }).apply(vector) as tf.SymbolicTensor });
    assert.throws(() => onnxGraphOfNet(flatModel, 'Vector'), { code: 'E_EXPORT_UNSUPPORTED', message: /model Vector cannot be exported to ONNX: expected an NHWC input \[batch, H, W, C\] and an output \[batch, classes\], received \[, 5\]/ });
    reusing.dispose();
    flatModel.dispose();
  });

  it('archbundle export --to onnx on such a bundle: one line, exit 1, no file written', async () => {
    const model = instantiate(UNSUPPORTED, { classes: 3, resolution: [1, 6, 6] });
    await new State(model, undefined, undefined, 0, {}).save(path.join(dir, 'up.archbundle'));
    model.dispose();
    const io = bufferIo({ cwd: dir });
    const code = await main(['export', 'up.archbundle', '--to', 'onnx', 'up.onnx', '--backend', tf.getBackend()], io);
    assert.equal(code, 1);
    assert.equal(io.stdout, '');
    assert.match(io.stderr, /^archbundle export: E_EXPORT_UNSUPPORTED: layer "up" \(UpSampling2D\) cannot be exported to ONNX: no converter for UpSampling2D; expected one of .*\n$/);
    assert.equal(existsSync(path.join(dir, 'up.onnx')), false);
  });
});

describe('archbundle export --to onnx', () => {
  it('writes the bundle\'s model as a checked ONNX file carrying its arch.json; onnxruntime computes its logits', async () => {
    seedRandom(5);
    const model = instantiate('ResNet', { classes: 4, resolution: [3, 12, 12], blocks: [1, 1], channels: 4 });
    randomiseNormalizations(model.net);
    const [h, w, c] = [12, 12, 3];
    const x = seededValues(2 * h * w * c, 3);
    const expected = tf.tidy(() => model.predict(tf.tensor4d(x, [2, h, w, c])).dataSync());
    await new State(model, undefined, undefined, 3, {}, inputContract({ resolution: [3, 12, 12], labels: ['a', 'b', 'c', 'd'] })).save(path.join(dir, 'resnet.archbundle'));
    model.dispose();

    const run = await runCli(['export', 'resnet.archbundle', '--to', 'onnx', 'out/resnet.onnx'], { cwd: dir });
    assert.equal(run.code, 1, 'the output folder does not exist');
    assert.match(run.stderr, /^archbundle export: E_IO: cannot create a temp file in .*out/);
    const ok = await runCli(['export', 'resnet.archbundle', '--to', 'onnx', 'resnet.onnx'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^wrote resnet\.onnx: the inference graph of ResNet as ONNX \(opset 17, [\d,]+ bytes\), input NHWC float32, output logits\n$/);
    const file = path.join(dir, 'resnet.onnx');
    const [checked] = Object.values(await checkOnnxFiles([file]));
    assert.equal(checked!.error, null);
    assert.deepEqual(checked!.inputs, [['input', ['batch', 12, 12, 3]]]);
    const arch = JSON.parse(checked!.metadata[ONNX_ARCH_METADATA_KEY]!) as { class: string; args: { blocks: number[] } };
    assert.deepEqual([arch.class, arch.args.blocks], ['ResNet', [1, 1]]);
    const actual = await onnxruntimeLogits(file, x, [2, h, w, c]);
    assert.ok(relativeError(expected, actual) <= TOLERANCE);
    // the same bytes every time: the export is deterministic
    const again = await runCli(['export', 'resnet.archbundle', '--to', 'onnx', 'again.onnx'], { cwd: dir });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readFileSync(path.join(dir, 'again.onnx')), readFileSync(file));
  });
});
