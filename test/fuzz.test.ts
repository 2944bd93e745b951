/**
 * The fuzzer (fuzz/, docs/fuzzing.md): a short campaign of each target, through the same runner
 * the CLI uses, finds nothing and reaches the deep stages; and the harness does report what it
 * is there to report (a crash, a code about the environment, a leaked tensor, a slow input, an
 * unhandled rejection, an input that never returns), with the input that did it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { HANGS_AT } from './helpers/fuzz-hang-target.js';
import { ArchbundleError } from '../src/index.js';
import { havoc } from '../fuzz/mutators.js';
import { runTarget } from '../fuzz/runner.js';
import { Rng } from '../fuzz/rng.js';
import type { Target, TargetFactory } from '../fuzz/target.js';
import { TARGETS, type TargetName } from '../fuzz/targets/index.js';
import { runWatched } from '../fuzz/watchdog.js';

before(useTestBackend);

const load = async (name: TargetName) => ((await import(TARGETS[name])) as { createTarget: TargetFactory }).createTarget();

/** Generous: another test run may share the two cores. */
const CAP_MS = 3000;

describe('a short campaign of each target finds nothing', () => {
  const cases: [TargetName, number, string][] = [
    ['tar', 500, 'State.load'],
    ['unpickler', 400, 'modelFromTorch'],
    ['safetensors', 1000, 'importSafetensorsBytes'],
  ];
  for (const [name, iterations, deep] of cases) {
    it(`${name}: ${iterations} inputs, only coded errors, no leak, none slow, and the deep stage reached`, async () => {
      const target = await load(name);
      const report = await runTarget(target, { iterations, seed: 1, timeCapMs: CAP_MS });
      assert.deepEqual(report.findings.map((f) => `${f.kind} at ${f.iteration}: ${f.message}`), []);
      assert.equal(report.iterations, iterations);
      const first = Object.values(report.codes)[0]!;
      assert.ok(Object.keys(first).length >= 3, `the damage reached several checks: ${JSON.stringify(first)}`);
      assert.ok((report.codes[deep]?.ok ?? 0) > 0 && Object.keys(report.codes[deep]!).length >= 3, `${deep} ran, accepted some and refused some: ${JSON.stringify(report.codes[deep])}`);
    });
  }

  it('an input is a pure function of (seed, target, iteration)', async () => {
    const target = await load('safetensors');
    for (let i = 0; i < 200; i++) {
      assert.deepEqual(target.generate(Rng.forInput(1, target.name, i)), target.generate(Rng.forInput(1, target.name, i)));
    }
    assert.notDeepEqual(target.generate(Rng.forInput(1, target.name, 0)), target.generate(Rng.forInput(2, target.name, 0)));
  });
});

describe('the harness reports what goes wrong', () => {
  /** Tensors the faulty reader leaks on purpose, freed after the test. */
  const leaked: tf.Tensor[] = [];
  /** A reader with one fault per input: a seeded campaign must report each, at its iteration, with its input. */
  const faulty: Target = {
    name: 'faulty',
    seeds: [{ name: 'seed', bytes: Uint8Array.from({ length: 32 }, (_, i) => i), hot: [] }],
    maxBytes: 256,
    generate(rng) {
      return havoc(this.seeds[0]!.bytes, rng, { hot: [], donors: [], maxBytes: 256 });
    },
    async run(bytes, probe, iteration) {
      await probe.stage('read', () => {
        if (iteration === 2) (undefined as unknown as { x: number }).x;
        if (iteration === 3) throw new ArchbundleError('E_IO', 'a reader of bytes in memory has no file to fail on');
        if (iteration === 4) throw new RangeError('Maximum call stack size exceeded');
        if (iteration === 7) void Promise.reject(new Error('a stray promise'));
        if (iteration === 8) for (const end = performance.now() + 300; performance.now() < end; );
        return bytes.length;
      });
      await probe.stage(
        'tf',
        () => {
          const t = tf.ones([2]);
          if (iteration === 5) {
            leaked.push(t);
            throw new ArchbundleError('E_WEIGHTS_MISMATCH', 'refused, but the tensor made on the way is kept');
          }
          if (iteration === 6) leaked.push(tf.zeros([1]));
          return { t };
        },
        { tensors: () => tf.memory().numTensors, dispose: (v) => v.t.dispose() },
      );
    },
  };

  it('a TypeError, an environment code, a stack overflow, a leak on failure and on success, an unhandled rejection, a slow input', async () => {
    const before = tf.memory().numTensors;
    const report = await runTarget(faulty, { iterations: 12, seed: 9, timeCapMs: 100 });
    tf.dispose(leaked);
    assert.equal(tf.memory().numTensors, before);
    const found = report.findings.map((f) => [f.iteration, f.kind, f.message.split('\n')[0]]);
    assert.deepEqual(found.map(([i, kind]) => [i, kind]), [[2, 'crash'], [3, 'uncoded'], [4, 'crash'], [5, 'leak'], [6, 'leak'], [7, 'crash'], [8, 'slow']]);
    assert.match(String(found[0]![2]), /^read threw TypeError: Cannot read properties of undefined/);
    assert.match(String(found[1]![2]), /code "E_IO", not a code about the input/);
    assert.match(String(found[3]![2]), /^tf \(E_WEIGHTS_MISMATCH\) left 1 tensors allocated/);
    assert.match(String(found[5]![2]), /unhandled rejection .*a stray promise/);
    for (const f of report.findings) assert.deepEqual(f.bytes, faulty.generate(Rng.forInput(9, 'faulty', f.iteration)), 'the finding keeps its input');
    assert.equal(report.iterations, 12);
    assert.equal(report.ok, 12 - 7);
  });

  it('an input that never returns: the watchdog terminates the worker, saves the input and resumes after it', async () => {
    const module = new URL('./helpers/fuzz-hang-target.ts', import.meta.url).href;
    const seen: number[] = [];
    const [report] = await runWatched([{ name: 'hang', module }], { seed: 4, iterations: 8, timeCapMs: 100, onFinding: (f) => void seen.push(f.iteration) });
    const { createTarget } = (await import(module)) as { createTarget: TargetFactory };
    const target = await createTarget();
    assert.deepEqual(report!.findings.map((f) => [f.kind, f.iteration]), [['hang', HANGS_AT]]);
    assert.match(report!.findings[0]!.message, /one input has run for more than 1000 ms/);
    assert.deepEqual(report!.findings[0]!.bytes, target.generate(Rng.forInput(4, 'hang', HANGS_AT)));
    assert.deepEqual(seen, [HANGS_AT]);
    assert.equal(report!.iterations, 8);
    assert.equal(report!.ok, 7, 'the inputs after the hang ran in a new worker');
  });
});
