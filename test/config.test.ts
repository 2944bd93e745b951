import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DATASET_NAMES } from '../src/core/config.js';
import { useTestBackend } from './helpers/backend.js';
import { tempDir } from './helpers/tempdir.js';
import { compileSchema } from '../src/core/validate.js';
import { loadConfig, ArchbundleError, architectures } from '../src/index.js';
import { applyOverrides } from '../src/node/config/overrides.js';
import { configSchema } from '../src/node/config/schema.js';
import { instantiate } from '../src/train.js';

const MODEL = { class: 'MLP', args: { classes: 10, resolution: [1, 28, 28], hidden: [8] } };

function project(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<ArchbundleError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ArchbundleError, `expected an ArchbundleError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('config file', () => {
  it('the published schema compiles under strict ajv', () => {
    assert.equal(typeof compileSchema(configSchema()), 'function');
  });

  it('the schema names exactly the datasets the code knows, in the same order', () => {
    const dataset = (configSchema() as { properties: { data: { properties: { dataset: { enum: string[]; default: string } } } } })
      .properties.data.properties.dataset;
    assert.deepEqual(dataset.enum, [...DATASET_NAMES]);
    assert.ok((DATASET_NAMES as readonly string[]).includes(dataset.default));
  });

  const formats: Record<string, string> = {
    'archbundle.config.json': JSON.stringify({ model: MODEL, epochs: 3 }),
    'archbundle.config.yaml': 'model:\n  class: MLP\n  args: {classes: 10, resolution: [1, 28, 28], hidden: [8]}\nepochs: 3\n',
    '.archbundlerc': JSON.stringify({ model: MODEL, epochs: 3 }),
    '.archbundlerc.yml': 'model: {class: MLP, args: {classes: 10, resolution: [1, 28, 28], hidden: [8]}}\nepochs: 3\n',
    'archbundle.config.mjs': `export default ${JSON.stringify({ model: MODEL, epochs: 3 })};\n`,
    'archbundle.config.ts': `const config: Record<string, unknown> = ${JSON.stringify({ model: MODEL, epochs: 3 })};\nexport default config;\n`,
    'package.json': JSON.stringify({ name: 'x', archbundle: { model: MODEL, epochs: 3 } }),
  };
  for (const [name, text] of Object.entries(formats)) {
    it(`is found as ${name} and filled with defaults`, async () => {
      const dir = project({ [name]: text });
      const { config, filepath } = await loadConfig({ cwd: dir });
      assert.equal(filepath, path.join(dir, name));
      assert.equal(config.epochs, 3);
      assert.equal(config.data.batchSize, 64);
      assert.deepEqual(config.model.args.hidden, [8]);
      assert.equal(config.model.args.activation, 'relu', 'model defaults are filled');
      assert.equal(config.output, path.join(dir, 'runs/latest'));
    });
  }

  it('is found from a sub-folder of the project', async () => {
    const dir = project({ 'package.json': '{"name":"p"}', 'archbundle.config.json': JSON.stringify({ model: MODEL }) });
    mkdirSync(path.join(dir, 'a/b'), { recursive: true });
    const { filepath } = await loadConfig({ cwd: path.join(dir, 'a/b') });
    assert.equal(filepath, path.join(dir, 'archbundle.config.json'));
  });

  it('applies --set overrides as JSON, else as strings', async () => {
    const dir = project({ 'archbundle.config.json': JSON.stringify({ model: MODEL }) });
    const { config } = await loadConfig({
      cwd: dir,
      set: ['epochs=7', 'data.augmentation.flip=true', 'output=out/x', 'model.args.hidden=[4,4]', 'scheduler={"class":"StepLR","args":{"stepSize":3}}'],
    });
    assert.equal(config.epochs, 7);
    assert.equal(config.data.augmentation.flip, true);
    assert.equal(config.output, path.join(dir, 'out/x'));
    assert.deepEqual(config.model.args.hidden, [4, 4]);
    assert.deepEqual(config.scheduler, { class: 'StepLR', args: { stepSize: 3, gamma: 0.1 } });
  });

  it('refuses malformed --set assignments', () => {
    assert.throws(() => applyOverrides({}, ['epochs']), /--set expects key.path=value, received "epochs"/);
    assert.throws(() => applyOverrides({}, ['__proto__.x=1']), /not a valid key path/);
    assert.throws(() => applyOverrides({ epochs: 3 }, ['epochs.x=1']), /"epochs" holds 3, not an object/);
  });

  it('errors name the file and every JSON pointer', async () => {
    const dir = project({
      'archbundle.config.json': JSON.stringify({ model: MODEL, epochs: 0, data: { batchSize: 'big' }, extra: 1 }),
    });
    const error = await rejects(loadConfig({ cwd: dir }), 'E_INVALID_CONFIG', /archbundle\.config\.json/);
    assert.deepEqual(error.issues.map((i) => i.pointer).sort(), ['/data/batchSize', '/epochs', '/extra']);
  });

  it('threads: absent means every core (nothing filled in), a whole number >= 1 otherwise, --set works', async () => {
    const dir = project({ 'archbundle.config.json': JSON.stringify({ model: MODEL }) });
    assert.equal((await loadConfig({ cwd: dir })).config.threads, undefined);
    assert.equal((await loadConfig({ cwd: dir, set: ['threads=2'] })).config.threads, 2);
    for (const bad of ['0', '1.5', '"2"']) {
      const error = await rejects(loadConfig({ cwd: dir, set: [`threads=${bad}`] }), 'E_INVALID_CONFIG', /\/threads/);
      assert.deepEqual(error.issues.map((i) => i.pointer), ['/threads']);
    }
  });

  it('model arguments are checked against the class schema, pointers under /model/args', async () => {
    const dir = project({
      'archbundle.config.json': JSON.stringify({ model: { class: 'MLP', args: { classes: 0, resolution: [1, 28, 28] } } }),
    });
    const error = await rejects(loadConfig({ cwd: dir }), 'E_INVALID_CONFIG', /\/model\/args\/classes must be >= 1/);
    assert.equal(error.issues[0]!.pointer, '/model/args/classes');
  });

  it('optimizer and scheduler arguments are checked against their schemas', async () => {
    const dir = project({
      'archbundle.config.json': JSON.stringify({
        model: MODEL,
        optimizer: { class: 'SGD', args: { learningRate: -1 } },
        scheduler: { class: 'NoSuchScheduler' },
      }),
    });
    const error = await rejects(loadConfig({ cwd: dir }), 'E_INVALID_CONFIG', /\/optimizer\/args\/learningRate/);
    assert.deepEqual(error.issues.map((i) => i.pointer), ['/optimizer/args/learningRate', '/scheduler/class']);
    const { config } = await loadConfig({ cwd: dir, set: ['optimizer.args.learningRate=0.1', 'scheduler={"class":"StepLR","args":{"stepSize":2}}'] });
    assert.equal(config.optimizer.args.momentum, 0, 'optimizer defaults are filled');
    assert.equal(config.scheduler!.args.gamma, 0.1, 'scheduler defaults are filled');
  });

  it('an unknown class lists the registered ones', async () => {
    const dir = project({ 'archbundle.config.json': JSON.stringify({ model: { class: 'Nope' } }) });
    await rejects(loadConfig({ cwd: dir }), 'E_INVALID_CONFIG', /\/model\/class names no registered architecture \("Nope"\); registered: .*MLP/);
  });

  it('a missing explicit file and an absent config are E_CONFIG_NOT_FOUND', async () => {
    const dir = project({ 'package.json': '{"name":"p"}' });
    await rejects(loadConfig({ cwd: dir, file: 'nope.json' }), 'E_CONFIG_NOT_FOUND', /nope\.json does not exist/);
    await rejects(loadConfig({ cwd: dir }), 'E_CONFIG_NOT_FOUND', /no archbundle config found/);
  });

  it('a syntax error names the file', async () => {
    const dir = project({ 'archbundle.config.json': '{"model": ' });
    await rejects(loadConfig({ cwd: dir }), 'E_INVALID_CONFIG', /archbundle\.config\.json cannot be read/);
  });

  it('registers a user architecture from a folder outside the repository, and it builds', async () => {
    await useTestBackend();
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:test:architecture:TinyUserNet',
      'x-version': 1,
      title: 'TinyUserNet',
      description: 'A user-defined test network.',
      type: 'object',
      properties: {
        classes: { title: 'Classes', description: 'Classes.', type: 'integer', minimum: 1 },
        resolution: {
          title: 'Resolution', description: 'Input size.', type: 'array',
          prefixItems: [{ type: 'integer' }, { type: 'integer' }, { type: 'integer' }], items: false, minItems: 3,
        },
        bias: { title: 'Bias', description: 'Bias.', type: 'boolean', default: true },
        clamp: { title: 'Clamp', description: 'Clamp.', type: 'boolean', default: false },
        whitening: { title: 'Whitening', description: 'None.', type: 'null', default: null },
        units: { title: 'Units', description: 'Hidden units.', type: 'integer', minimum: 1, default: 5 },
      },
      required: ['classes', 'resolution'],
      additionalProperties: false,
    };
    const builder = `import { readFileSync } from 'node:fs';
const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8'));
const definition = {
  name: 'TinyUserNet',
  schema,
  build(b: any, args: { classes: number; units: number }) {
    const { tf } = b;
    b.append(tf.layers.flatten({ name: 'flatten' }));
    b.append(tf.layers.dense({ name: 'hidden', units: args.units, activation: 'relu' }));
    b.append(tf.layers.dense({ name: 'logits', units: args.classes }));
  },
};
export default definition;
`;
    const archDir = project({ 'tiny/schema.json': JSON.stringify(schema), 'tiny/index.ts': builder });
    const configDir = project({
      'archbundle.config.json': JSON.stringify({
        model: { class: 'TinyUserNet', args: { classes: 3, resolution: [1, 4, 4], units: 6 } },
        architectures: [path.join(archDir, 'tiny/index.ts')],
      }),
    });
    const { config } = await loadConfig({ cwd: configDir });
    assert.equal(architectures.get('TinyUserNet').name, 'TinyUserNet');
    const again = await loadConfig({ cwd: configDir });
    assert.deepEqual(again.config.model.args, config.model.args, 'loading twice does not register twice');
    const model = instantiate(config.model.class, config.model.args);
    assert.deepEqual(model.net.outputs[0]!.shape, [null, 3]);
    assert.deepEqual(model.namedWeights().map((w) => w.name), ['hidden/kernel', 'hidden/bias', 'logits/kernel', 'logits/bias']);
    model.dispose();
  });

  it('a user architecture path is resolved relative to the config file', async () => {
    const dir = project({
      'conf/archbundle.config.json': JSON.stringify({ model: MODEL, architectures: ['../arch/missing.js'] }),
    });
    await rejects(loadConfig({ cwd: path.join(dir, 'conf') }), 'E_INVALID_CONFIG', new RegExp(`/architectures/0 \\(${dir}/arch/missing\\.js\\): cannot import`));
  });
});
