/** The CLI's texts: help, usage errors (exit 2), failures (exit 1) and --json outputs, pinned by snapshots. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { matchSnapshot, normalize } from './helpers/snapshot.js';
import { tempDir } from './helpers/tempdir.js';
import { COMMANDS } from '../src/node/cli/command.js';
import { bufferIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';

async function cli(argv: string[], cwd = process.cwd()) {
  const io = bufferIo({ cwd });
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('archbundle CLI texts', () => {
  it('without a command prints the overview and exits 2', async () => {
    const run = await cli([]);
    assert.equal(run.code, 2);
    matchSnapshot('main-help', run.stdout);
  });

  for (const name of Object.keys(COMMANDS)) {
    it(`${name} --help`, async () => {
      const run = await cli([name, '--help']);
      assert.equal(run.code, 0);
      assert.equal(run.stderr, '');
      matchSnapshot(`help-${name}`, run.stdout);
    });
  }

  it('usage errors are one line and exit 2', async () => {
    const lines: string[] = [];
    for (const argv of [['frobnicate'], ['train', '--bogus'], ['train', 'extra'], ['train', '--backend', 'tpu'], ['validate'], ['inspect'], ['schema'], ['schema', 'show'], ['eval', 'x', '--limit', '0'], ['eval', 'x', '--data', 'imagenet'], ['import', 'a.pth'], ['import', 'a.pth', 'b.bundle', '--class', 'MLP'], ['import', 'a.pth', 'b.bundle', '--class', 'MLP', '--args', '[1]'], ['export', 'a.bundle', 'b.out'], ['export', 'a.bundle', '--to', 'tflite', 'b.tflite'], ['predict', 'x'], ['predict', 'x', 'y.png', '--top', '1.5'], ['predict', 'x', 'y.png', '--layout', 'hwc'], ['compare'], ['compare', 'runs', '--limit', '5'], ['compare', 'runs', '--threads', '2'], ['compare', 'runs', '--data', 'imagenet']]) {
      const run = await cli(argv);
      assert.equal(run.code, 2, `${argv.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line for ${argv.join(' ')}`);
      lines.push(`$ archbundle ${argv.join(' ')}\n${run.stderr}`);
    }
    matchSnapshot('usage-errors', lines.join(''));
  });

  it('config errors name the file and pointers, exit 1, no stack trace unless --verbose', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'archbundle.config.json'),
      JSON.stringify({ model: { class: 'MLP', args: { classes: 10, resolution: [1, 28, 28], hidden: [0] } }, epochs: -1 }),
    );
    const run = await cli(['train'], dir);
    assert.equal(run.code, 1);
    matchSnapshot('train-invalid-config', normalize(run.stderr, { [dir]: '<DIR>' }));
    const fixedEpochs = await cli(['train', '--set', 'epochs=1'], dir);
    assert.equal(fixedEpochs.code, 1);
    matchSnapshot('train-invalid-model-args', normalize(fixedEpochs.stderr, { [dir]: '<DIR>' }));
    const verbose = await cli(['train', '--verbose'], dir);
    assert.equal(verbose.code, 1);
    assert.match(verbose.stderr, /\n {4}at /, 'stack trace with --verbose');
  });

  it('a missing config file is E_CONFIG_NOT_FOUND', async () => {
    const dir = tempDir();
    const run = await cli(['train', '--config', 'nope.yaml'], dir);
    assert.equal(run.code, 1);
    matchSnapshot('train-missing-config', normalize(run.stderr, { [dir]: '<DIR>' }));
  });

  it('schema show --json prints the schema; an unknown class lists the registered ones', async () => {
    const show = await cli(['schema', 'show', 'MLP', '--json']);
    assert.equal(show.code, 0);
    matchSnapshot('schema-show-mlp-json', show.stdout);
    const text = await cli(['schema', 'show', 'MLP']);
    matchSnapshot('schema-show-mlp', text.stdout);
    const list = await cli(['schema', 'list', '--json']);
    assert.ok(JSON.parse(list.stdout).some((a: { name: string }) => a.name === 'MLP'));
    const unknown = await cli(['schema', 'show', 'NoSuchNet']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^archbundle schema: E_UNKNOWN_CLASS: unknown architecture "NoSuchNet"; registered: .*MLP/);
  });

  it('codegen --check finds the checked-in types up to date', async () => {
    const run = await cli(['codegen', '--check']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'generated types are up to date\n');
  });

  it('schema list --config registers the user architectures of a config file', async () => {
    const dir = tempDir();
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:test:architecture:ListedNet',
      title: 'ListedNet',
      description: 'Registered through a config file.',
      type: 'object',
      properties: {
        classes: { title: 'Classes', description: 'Classes.', type: 'integer', minimum: 1 },
        resolution: { title: 'Resolution', description: 'Input size.', type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3 },
        bias: { title: 'Bias', description: 'Bias.', type: 'boolean', default: true },
        clamp: { title: 'Clamp', description: 'Clamp.', type: 'boolean', default: false },
        whitening: { title: 'Whitening', description: 'None.', type: 'null', default: null },
      },
      required: ['classes', 'resolution'],
      additionalProperties: false,
    };
    writeFileSync(
      path.join(dir, 'listed.mjs'),
      `export default { name: 'ListedNet', schema: ${JSON.stringify(schema)}, build(b) { b.append(b.tf.layers.flatten({ name: 'flatten' })); b.append(b.tf.layers.dense({ name: 'logits', units: 2 })); } };\n`,
    );
    writeFileSync(
      path.join(dir, 'archbundle.config.json'),
      JSON.stringify({ model: { class: 'ListedNet', args: { classes: 2, resolution: [1, 2, 2] } }, architectures: ['./listed.mjs'] }),
    );
    const run = await cli(['schema', 'list', '--config', 'archbundle.config.json'], dir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ListedNet +1 +Registered through a config file\.$/m);
  });

  it('validate reports every bundle and exits 1 when any is invalid', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'not-a-bundle.archbundle'), 'hello, this is not a tar file');
    writeFileSync(path.join(dir, 'empty.archbundle'), '');
    const run = await cli(['validate', 'missing.archbundle', 'not-a-bundle.archbundle', 'empty.archbundle', '--json'], dir);
    assert.equal(run.code, 1);
    matchSnapshot('validate-invalid-json', normalize(run.stdout, { [dir]: '<DIR>' }));
    const plain = await cli(['validate', 'missing.archbundle', 'not-a-bundle.archbundle'], dir);
    assert.equal(plain.code, 1);
    matchSnapshot('validate-invalid', normalize(plain.stdout, { [dir]: '<DIR>' }));
  });
});
