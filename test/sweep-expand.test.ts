/** The pure parts of sweeps (src/core/sweep): grid × runs expansion, run and sweep ids, key paths, blame. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import '../src/node/files/node-sha256.js';
import { blameIssue } from '../src/core/sweep/blame.js';
import { expandSweep, sweepAxes, sweepFileIssues } from '../src/core/sweep/expand.js';
import { keyPathPointer, parseKeyPath, setKeyPath } from '../src/core/sweep/key-path.js';
import { isId, runId, sweepId } from '../src/core/sweep/run-id.js';
import type { SweepFile } from '../src/core/sweep/types.js';

/** The same value with every object's keys in another order (arrays keep theirs). */
function reorderKeys(value: unknown, pick: (n: number) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, pick));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const shuffled: [string, unknown][] = [];
    while (entries.length > 0) shuffled.push(entries.splice(pick(entries.length), 1)[0]!);
    return Object.fromEntries(shuffled.map(([k, v]) => [k, reorderKeys(v, pick)]));
  }
  return value;
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const config = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'output' && k !== '__proto__'), jsonValue, { maxKeys: 6 });

describe('sweep expansion', () => {
  it('is every grid combination for each runs entry, last axis fastest, with pointers to each value', () => {
    const file: SweepFile = {
      base: {},
      grid: { 'model.class': ['SimpleNet', 'ResNet'], 'optimizer.args.learningRate': [0.001, 0.01, 0.1] },
      runs: [{ seed: 0 }, { seed: 1, epochs: 3 }],
    };
    const runs = expandSweep(file);
    assert.equal(runs.length, 2 * 3 * 2);
    assert.deepEqual(
      runs[4]!.assignments.map((a) => [a.path, a.value, a.pointer]),
      [
        ['model.class', 'ResNet', '/grid/model.class/1'],
        ['optimizer.args.learningRate', 0.01, '/grid/optimizer.args.learningRate/1'],
        ['seed', 0, '/runs/0/seed'],
      ],
    );
    assert.deepEqual(runs[11]!.assignments.map((a) => a.pointer), ['/grid/model.class/1', '/grid/optimizer.args.learningRate/2', '/runs/1/seed', '/runs/1/epochs']);
    assert.deepEqual(runs.map((r) => r.index), [...runs.keys()]);
    assert.deepEqual(sweepAxes(file), ['model.class', 'optimizer.args.learningRate', 'seed', 'epochs']);
  });

  it('without a grid is the runs entries, without runs the grid, with neither the base alone', () => {
    assert.equal(expandSweep({ base: {}, runs: [{ seed: 0 }, { seed: 1 }, { seed: 2 }] }).length, 3);
    assert.equal(expandSweep({ base: {}, grid: { seed: [0, 1], epochs: [1, 2] } }).length, 4);
    assert.deepEqual(expandSweep({ base: {} }), [{ index: 0, assignments: [] }]);
  });

  it('has as many runs as the product of the axes times the runs entries', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }), fc.integer({ min: 1, max: 3 }), (sizes, entries) => {
        const grid = Object.fromEntries(sizes.map((n, i) => [`axis${i}`, Array.from({ length: n }, (_, v) => v)]));
        const runs = Array.from({ length: entries }, (_, e) => ({ seed: e }));
        const expanded = expandSweep({ base: {}, grid, runs });
        assert.equal(expanded.length, sizes.reduce((p, n) => p * n, 1) * entries);
        const distinct = new Set(expanded.map((r) => JSON.stringify(r.assignments.map((a) => a.value))));
        assert.equal(distinct.size, expanded.length, 'no combination twice');
      }),
    );
  });

  it('refuses key paths --set refuses, varying output, and a key both in the grid and in runs', () => {
    const issues = sweepFileIssues({ base: {}, grid: { 'a..b': [1], seed: [0, 1], 'x.__proto__.y': [1] }, runs: [{ seed: 2 }, { output: 'elsewhere' }] });
    assert.deepEqual(
      issues.map((i) => [i.pointer, i.keyword]),
      [
        ['/grid/a..b', 'key-path'],
        ['/grid/x.__proto__.y', 'key-path'],
        ['/runs/0/seed', 'grid-overlap'],
        ['/runs/1/output', 'key-path'],
      ],
    );
  });
});

describe('key paths', () => {
  it('set values as --set does, creating objects on the way, and stop at a non-object', () => {
    const target: Record<string, unknown> = { optimizer: { class: 'SGD' }, epochs: 3 };
    assert.equal(setKeyPath(target, parseKeyPath('optimizer.args.learningRate')!, 0.1), null);
    assert.deepEqual(target.optimizer, { class: 'SGD', args: { learningRate: 0.1 } });
    assert.equal(setKeyPath(target, parseKeyPath('epochs.value')!, 1), 'epochs');
    assert.equal(keyPathPointer(['a/b', 'c~d']), '/a~1b/c~0d');
  });

  it('a value set is a copy: changing the run never changes the sweep file', () => {
    const value = { hidden: [8] };
    const target: Record<string, unknown> = {};
    setKeyPath(target, ['model', 'args'], value);
    ((target.model as { args: { hidden: number[] } }).args.hidden).push(9);
    assert.deepEqual(value, { hidden: [8] });
  });
});

describe('run and sweep ids', () => {
  it('a run id is 12 hex digits and stays the same whatever the key order', async () => {
    await fc.assert(
      fc.asyncProperty(config, fc.infiniteStream(fc.nat()), async (value, stream) => {
        const picks = stream[Symbol.iterator]();
        const reordered = reorderKeys(value, (n) => picks.next().value % n) as Record<string, unknown>;
        const id = await runId(value);
        assert.ok(isId(id), id);
        assert.equal(await runId(reordered), id);
      }),
    );
  });

  it('distinct configs get distinct run ids; output alone does not make a config distinct', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(config, { minLength: 2, maxLength: 8, selector: (c) => JSON.stringify(sortDeep(c)) }), async (configs) => {
        // distinct as canonical JSON (keys sorted, as canonicalJson does): the selector above
        const ids = new Set(await Promise.all(configs.map((c) => runId(c))));
        assert.equal(ids.size, configs.length);
      }),
    );
    assert.equal(await runId({ epochs: 2, output: '/a' }), await runId({ epochs: 2, output: '/b' }));
    assert.notEqual(await runId({ epochs: 2 }), await runId({ epochs: 3 }));
  });

  it("a sweep's id depends on its set of run ids, not their order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{12}$/), { minLength: 1, maxLength: 6 }), async (ids) => {
        const id = await sweepId(ids);
        assert.ok(isId(id));
        assert.equal(await sweepId([...ids].reverse()), id);
        if (ids.length > 1) assert.notEqual(await sweepId(ids.slice(1)), id);
      }),
    );
  });
});

describe('blame: an issue in a run config traced to the sweep value that caused it', () => {
  const assignments = [
    { path: 'model.class', value: 'ResNet', pointer: '/grid/model.class/1' },
    { path: 'model.args', value: { depth: 7 }, pointer: '/runs/0/model.args' },
    { path: 'optimizer.args.learningRate', value: -1, pointer: '/grid/optimizer.args.learningRate/1' },
  ];

  it('at or inside a value the axis set: that value, extended by the rest of the pointer', () => {
    assert.equal(blameIssue('/optimizer/args/learningRate', assignments)?.pointer, '/grid/optimizer.args.learningRate/1');
    assert.equal(blameIssue('/model/args/depth', assignments)?.pointer, '/runs/0/model.args/depth');
  });

  it('around a value the axis set (e.g. a required property missing beside it): that value', () => {
    assert.equal(blameIssue('/optimizer', assignments)?.pointer, '/grid/optimizer.args.learningRate/1');
  });

  it("under the arguments of a class an axis chose: the class's value", () => {
    const classOnly = [assignments[0]!];
    assert.equal(blameIssue('/model/args/hidden', classOnly)?.pointer, '/grid/model.class/1');
  });

  it('nowhere near any axis: nothing (the base config is to blame)', () => {
    assert.equal(blameIssue('/epochs', assignments), null);
    assert.equal(blameIssue('/data/batchSize', []), null);
  });
});

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortDeep((value as Record<string, unknown>)[k])]));
  }
  return value;
}
