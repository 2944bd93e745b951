/**
 * loadSweep: a sweep file (JSON or YAML, base inline or a file) → validated runs; every problem
 * reported at once before anything runs, each naming the run and pointing at the sweep value
 * that caused it. Also the published schema, and the CLI's one line per problem.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import '../src/node/files/node-sha256.js';
import { ArchbundleError, type Issue } from '../src/core/errors.js';
import { compileSchema } from '../src/core/validate.js';
import { bufferIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';
import { loadSweep } from '../src/node/sweep/load-sweep.js';
import { SWEEP_SCHEMA_PATH, sweepSchema } from '../src/node/sweep/sweep-schema.js';
import { tempDir } from './helpers/tempdir.js';

const BASE = {
  model: { class: 'MLP', args: { classes: 4, resolution: [1, 8, 8], hidden: [8] } },
  data: { dataset: 'synthetic', synthetic: { train: 32, test: 16, classes: 4, resolution: [1, 8, 8] } },
  optimizer: { class: 'SGD', args: { learningRate: 0.1 } },
  epochs: 1,
  output: 'runs/base',
};

function project(files: Record<string, unknown>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

async function issuesOf(file: string, cwd: string): Promise<Issue[]> {
  try {
    await loadSweep(file, { cwd });
  } catch (error) {
    assert.ok(error instanceof ArchbundleError, String(error));
    assert.equal(error.code, 'E_INVALID_CONFIG');
    return [...error.issues];
  }
  assert.fail('expected the sweep to be refused');
}

describe('sweep schema', () => {
  it('compiles under strict ajv, and its example is a valid sweep', () => {
    const validate = compileSchema(sweepSchema());
    for (const example of (sweepSchema() as { examples: unknown[] }).examples) assert.ok(validate(structuredClone(example)), JSON.stringify(validate.errors));
  });

  it('is published beside the config schema, in the package files', () => {
    assert.equal(path.basename(SWEEP_SCHEMA_PATH), 'sweep.schema.json');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { files: string[]; exports: Record<string, unknown> };
    assert.ok(pkg.files.includes('schemas'), 'schemas/ ships in the package');
    assert.ok('./schemas/*' in pkg.exports);
  });
});

describe('loadSweep', () => {
  it('resolves every run: validated config with defaults, id, axes, folder <output>/<id>; $schema is accepted', async () => {
    const dir = project({
      'base.json': BASE,
      'sweep.yaml': `$schema: ./schemas/sweep.schema.json\nbase: ./base.json\ngrid:\n  seed: [0, 1]\n  optimizer.args.learningRate: [0.1, 0.01]\nruns:\n  - {}\n  - {model.args.hidden: [4]}\n`,
    });
    const sweep = await loadSweep('sweep.yaml', { cwd: dir });
    assert.equal(sweep.runs.length, 8);
    assert.equal(sweep.output, path.join(dir, 'runs/base'), "default: the base config's output");
    assert.deepEqual(sweep.axes, ['seed', 'optimizer.args.learningRate', 'model.args.hidden']);
    assert.match(sweep.id, /^[0-9a-f]{12}$/);
    const last = sweep.runs[7]!;
    assert.deepEqual(last.axes, { seed: 1, 'optimizer.args.learningRate': 0.01, 'model.args.hidden': [4] });
    assert.equal(last.config.output, path.join(sweep.output, last.id));
    assert.equal(last.config.seed, 1);
    assert.equal(last.config.optimizer.args.learningRate, 0.01);
    assert.deepEqual(last.config.model.args.hidden, [4]);
    assert.equal(last.config.data.evalBatchSize, 500, 'defaults are filled');
    assert.equal(last.config.checkpoint.everyEpochs, 1);
    assert.equal(new Set(sweep.runs.map((r) => r.id)).size, 8);
    // the same runs written another way: same ids, same sweep id; --output moves the folders only
    const again = project({ 'sweep.json': { base: { ...BASE, output: 'elsewhere' }, runs: sweep.runs.map((r) => r.axes) } });
    const same = await loadSweep('sweep.json', { cwd: again, output: 'out' });
    assert.equal(same.id, sweep.id);
    assert.deepEqual(same.runs.map((r) => r.id).sort(), sweep.runs.map((r) => r.id).sort());
    assert.equal(same.output, path.join(again, 'out'));
  });

  it('takes the output from the sweep file, relative to it, unless --output says otherwise', async () => {
    const dir = project({ 'sweeps/a.json': { base: BASE, grid: { seed: [0] }, output: '../runs/a' } });
    assert.equal((await loadSweep('sweeps/a.json', { cwd: dir })).output, path.join(dir, 'runs/a'));
    assert.equal((await loadSweep('sweeps/a.json', { cwd: dir, output: 'x' })).output, path.join(dir, 'x'));
  });

  it('reports every invalid run at once, each pointing at the value that caused it', async () => {
    const dir = project({
      'sweep.json': {
        base: BASE,
        grid: { 'optimizer.args.learningRate': [0.1, -1], seed: [0, 1] },
        runs: [{ 'model.class': 'MLP' }, { 'model.class': 'LeNet' }, { 'model.class': 'NoSuchNet' }, { epochs: 0 }],
      },
    });
    const issues = await issuesOf('sweep.json', dir);
    const byPointer = new Map(issues.map((i) => [i.pointer, i]));
    // the negative learning rate, once for the 4 × 2 runs that have it
    const lr = byPointer.get('/grid/optimizer.args.learningRate/1');
    assert.ok(lr, JSON.stringify(issues, null, 1));
    assert.match(lr.message, /^in run 3 of 16 \(optimizer\.args\.learningRate=-1, seed=0, model\.class="MLP"\) and \d+ other runs: config \/optimizer\/args\/learningRate must be > 0/);
    // LeNet has no "hidden": the class an axis chose decides the arguments' schema
    assert.match(byPointer.get('/runs/1/model.class')?.message ?? '', /run 5 of 16 .*model\.class="LeNet".*\/model\/args\/hidden/);
    assert.match(byPointer.get('/runs/2/model.class')?.message ?? '', /NoSuchNet/);
    assert.match(byPointer.get('/runs/3/epochs')?.message ?? '', /\/epochs must be >= 1/);
    assert.ok(issues.every((i) => /^in runs? \d+ of 16 /.test(i.message)), 'every issue names its run');
  });

  it("blames the base config when no axis did: pointers under /base, or the base file's name", async () => {
    const inline = project({ 'sweep.json': { base: { ...BASE, epochs: 'many' }, grid: { seed: [0, 1] } } });
    const issues = await issuesOf('sweep.json', inline);
    assert.deepEqual(issues.map((i) => i.pointer), ['/base/epochs']);
    assert.match(issues[0]!.message, /and 1 other run: base config \/epochs must be integer/);
    const file = project({ 'configs/base.json': { ...BASE, epochs: 'many' }, 'sweep.json': { base: 'configs/base.json', grid: { seed: [0] } } });
    const fromFile = await issuesOf('sweep.json', file);
    assert.equal(fromFile[0]!.pointer, '/base');
    assert.match(fromFile[0]!.message, new RegExp(`base config ${path.join(file, 'configs/base.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} /epochs`));
  });

  it('refuses runs that resolve to the same config, a path through a non-object, and a malformed file', async () => {
    const dup = project({ 'sweep.json': { base: BASE, grid: { seed: [0, 0] } } });
    const [issue] = await issuesOf('sweep.json', dup);
    assert.equal(issue!.pointer, '/grid/seed/1');
    assert.match(issue!.message, /same config as run 1/);
    const through = project({ 'sweep.json': { base: BASE, grid: { 'epochs.count': [1] } } });
    assert.match((await issuesOf('sweep.json', through))[0]!.message, /"epochs" in the base config is not an object/);
    const bad = project({ 'sweep.json': { base: BASE, grid: { seed: [] }, extra: 1 } });
    const fileIssues = await issuesOf('sweep.json', bad);
    assert.deepEqual(fileIssues.map((i) => i.pointer).sort(), ['/extra', '/grid/seed']);
  });

  it('names a missing sweep file or base config', async () => {
    const dir = project({ 'sweep.json': { base: 'missing.json' } });
    await assert.rejects(loadSweep('nope.yaml', { cwd: dir }), (e: ArchbundleError) => e.code === 'E_CONFIG_NOT_FOUND' && e.message.includes('nope.yaml'));
    await assert.rejects(loadSweep('sweep.json', { cwd: dir }), (e: ArchbundleError) => e.code === 'E_CONFIG_NOT_FOUND' && e.message.includes('missing.json'));
  });

  it('a sweep file that does not parse names the file and the syntax expected', async () => {
    const dir = project({ 'sweep.json': '{"base": ', 'sweep.yaml': 'grid: [unclosed\n' });
    await assert.rejects(loadSweep('sweep.json', { cwd: dir }), (e: ArchbundleError) =>
      e.code === 'E_INVALID_CONFIG' && /^sweep file .*sweep\.json cannot be parsed: expected JSON \(name it \.yaml or \.yml for YAML\); ./.test(e.message));
    await assert.rejects(loadSweep('sweep.yaml', { cwd: dir }), (e: ArchbundleError) =>
      e.code === 'E_INVALID_CONFIG' && /^sweep file .*sweep\.yaml cannot be parsed: expected YAML \(the file name ends in \.yaml or \.yml\); ./.test(e.message));
  });

  it('the CLI prints one line per problem and exits 1 before training anything', async () => {
    const dir = project({ 'sweep.yaml': `base: ${JSON.stringify(BASE)}\ngrid:\n  optimizer.args.learningRate: [-1, 0.1]\n  epochs: [0, 1]\n` });
    const io = bufferIo({ cwd: dir });
    const code = await main(['sweep', 'sweep.yaml'], io);
    assert.equal(code, 1);
    assert.equal(io.stdout, '');
    const lines = io.stderr.trim().split('\n');
    assert.match(lines[0]!, /^archbundle sweep: E_INVALID_CONFIG: runs of sweep file .*sweep\.yaml are invalid \(2 problems\):$/);
    assert.deepEqual(lines.slice(1).map((l) => l.trim().split(':')[0]).sort(), ['/grid/epochs/0', '/grid/optimizer.args.learningRate/0']);
    assert.ok(!io.stderr.includes('    at '), 'no stack trace');
    assert.deepEqual(parseYaml(readFileSync(path.join(dir, 'sweep.yaml'), 'utf8')).grid.epochs, [0, 1]);
  });

  it('usage errors exit 2', async () => {
    for (const argv of [['sweep'], ['sweep', 'a.json', 'b.json'], ['sweep', 'a.json', '--workers', '0'], ['sweep', 'a.json', '--workers', 'two']]) {
      const io = bufferIo();
      assert.equal(await main(argv, io), 2, argv.join(' '));
      assert.equal(io.stderr.trim().split('\n').length, 1);
    }
  });
});
