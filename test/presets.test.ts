/**
 * The training presets in configs/ (`<dataset>-<architecture>.json`): every one passes the config
 * schema and its model's own schema (as `archbundle train --config` loads it), builds, suits its
 * dataset, declares its augmentation, decays its learning rate to its last epoch and writes under
 * runs/presets/<its name>; every built-in architecture has a Fashion-MNIST preset; the npm package
 * ships them and docs/presets.md lists them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';
import { useTestBackend } from './helpers/backend.js';
import { architectures, loadConfig } from '../src/index.js';
import { DATASETS } from '../src/node/data/catalog.js';
import { checkModelFitsDataset } from '../src/tfjs/train/model-fits-dataset.js';
import { instantiate } from '../src/train.js';

const FOLDER = path.join(ROOT, 'configs');
const PRESETS = readdirSync(FOLDER).filter((f) => f.endsWith('.json')).sort();
/** The architectures archbundle ships (architectures/<name>/), each needing a Fashion-MNIST preset. */
const BUILT_IN = readdirSync(path.join(ROOT, 'architectures'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

describe('presets in configs/', () => {
  before(useTestBackend);

  it('there are presets, and every built-in architecture has a fashion-mnist one', () => {
    assert.ok(BUILT_IN.length >= 5, BUILT_IN.join());
    for (const folder of BUILT_IN) {
      const spec = architectures.list().find((s) => s.name.toLowerCase() === folder);
      assert.ok(spec, `architectures/${folder} is a registered architecture`);
      assert.ok(PRESETS.includes(`fashion-mnist-${folder}.json`), `configs/fashion-mnist-${folder}.json exists`);
    }
  });

  for (const file of PRESETS) {
    it(`${file}: valid, named after its dataset and class, builds and suits its dataset`, async () => {
      const { config, filepath } = await loadConfig({ file: path.join(FOLDER, file), cwd: ROOT });
      assert.equal(filepath, path.join(FOLDER, file));
      const name = path.basename(file, '.json');
      assert.equal(name, `${config.data.dataset}-${config.model.class.toLowerCase()}`);
      assert.ok(config.data.dataset in DATASETS, `${config.data.dataset} is a dataset with files`);
      assert.equal(config.output, path.join(ROOT, 'runs', 'presets', name));
      assert.equal(config.data.augmentation.flip, true, 'horizontal flips declared');
      assert.ok(config.data.augmentation.cropPadding >= 1, 'random crops with padding declared');
      const scheduler = config.scheduler as { class: string; args: { warmupEpochs: number; scheduler: { class: string; args: { tMax: number } } } };
      // a preset's learning rate decays to its end: warmup, then a cosine over the epochs left
      assert.equal(scheduler.class, 'LinearWarmup');
      assert.equal(scheduler.args.scheduler.class, 'CosineAnnealingLR');
      assert.equal(scheduler.args.scheduler.args.tMax, config.epochs - scheduler.args.warmupEpochs, 'cosine tMax = epochs - warmupEpochs');
      const raw = JSON.parse(readFileSync(path.join(FOLDER, file), 'utf8'));
      assert.equal(raw.$schema, '../schemas/config.schema.json');
      const model = instantiate(config.model.class, config.model.args);
      try {
        const dataset = DATASETS[config.data.dataset as keyof typeof DATASETS];
        checkModelFitsDataset(model, { name: dataset.name, resolution: dataset.resolution, classes: dataset.classNames.length });
        assert.ok(model.parameterCount() > 0);
      } finally {
        model.dispose();
      }
    });
  }

  it('the npm package ships configs/ and docs/presets.md lists every preset', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(pkg.files.includes('configs'), 'package.json "files" has configs');
    const docs = readFileSync(path.join(ROOT, 'docs', 'presets.md'), 'utf8');
    for (const file of PRESETS) assert.ok(docs.includes(`configs/${file}`), `docs/presets.md names configs/${file}`);
  });
});
