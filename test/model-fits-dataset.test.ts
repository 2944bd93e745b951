/**
 * A model whose classes or input resolution differ from the dataset's is refused the same way
 * by training and by evaluation: one check, one code, one message style.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ValidationError } from '../src/index.js';
import { checkModelFitsDataset } from '../src/tfjs/train/model-fits-dataset.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';

const FASHION = { name: 'fashion-mnist', classes: 10, resolution: [1, 28, 28] as [number, number, number] };

/** A two-image Fashion-MNIST look-alike: the four IDX files, uncompressed. */
function writeFashionMnist(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const idx = (dims: number[], data: Uint8Array) => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    out.set([0, 0, 0x08, dims.length]);
    dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
    out.set(data, 4 + 4 * dims.length);
    return out;
  };
  for (const split of ['train', 't10k']) {
    writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), idx([2, 28, 28], new Uint8Array(2 * 784)));
    writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), idx([2], new Uint8Array([3, 7])));
  }
}

describe('checkModelFitsDataset', () => {
  it('lists every mismatching argument with what the dataset needs and what the model has', () => {
    const model = { className: 'MLP', args: { classes: 4, resolution: [1, 8, 8] } };
    assert.throws(
      () => checkModelFitsDataset(model, FASHION, { source: 'a.archbundle' }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.code, 'E_INVALID_ARGS');
        assert.equal(
          error.message,
          'MLP arguments in a.archbundle are invalid: /classes must be 10 for fashion-mnist, received 4; ' +
            '/resolution must be [1, 28, 28] for fashion-mnist, received [1, 8, 8]',
        );
        return true;
      },
    );
    assert.throws(() => checkModelFitsDataset(model, FASHION, { pointer: '/model/args' }), /^ValidationError: MLP arguments are invalid: \/model\/args\/classes/);
    assert.doesNotThrow(() => checkModelFitsDataset({ className: 'MLP', args: { classes: 10, resolution: [1, 28, 28] } }, FASHION));
  });
});

describe('train and eval refuse a model that does not fit the dataset', () => {
  const dir = tempDir();
  before(() => {
    writeFashionMnist(path.join(dir, 'data'));
    const config = {
      model: { class: 'MLP', args: { classes: 4, resolution: [1, 8, 8], hidden: [4] } },
      data: { dataset: 'fashion-mnist', dataDir: 'data', download: false, batchSize: 10, synthetic: { train: 20, test: 10, classes: 4, resolution: [1, 8, 8] } },
      optimizer: { class: 'SGD', args: { learningRate: 0.1 } },
      epochs: 1,
      output: 'runs',
    };
    writeFileSync(path.join(dir, 'archbundle.config.json'), JSON.stringify(config));
  });

  it('with the same code and message style', async () => {
    const train = await runCli(['train'], { cwd: dir });
    assert.equal(train.code, 1, train.stderr);
    assert.match(
      train.stderr,
      /^archbundle train: E_INVALID_ARGS: MLP arguments are invalid: \/model\/args\/classes must be 10 for fashion-mnist, received 4; \/model\/args\/resolution must be \[1, 28, 28\] for fashion-mnist, received \[1, 8, 8\]/,
    );

    const synthetic = await runCli(['train', '--set', 'data.dataset=synthetic'], { cwd: dir });
    assert.equal(synthetic.code, 0, synthetic.stderr);
    const evaluation = await runCli(['eval', 'runs/epoch-0001.archbundle', '--data', 'fashion-mnist', '--data-dir', 'data'], { cwd: dir });
    assert.equal(evaluation.code, 1, evaluation.stderr);
    assert.match(
      evaluation.stderr,
      /^archbundle eval: E_INVALID_ARGS: MLP arguments in runs\/epoch-0001\.archbundle are invalid: \/classes must be 10 for fashion-mnist, received 4; \/resolution must be \[1, 28, 28\] for fashion-mnist, received \[1, 8, 8\]/,
    );
  });
});
