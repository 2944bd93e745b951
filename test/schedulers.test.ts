import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSchemaDocumented } from './helpers/schema.js';
import { torchReference } from './helpers/torch-reference.js';
import { compileSchema } from '../src/core/validate.js';
import { BundleError, ValidationError, createOptimizer, createScheduler, type TrainingScheduler, schedulers } from '../src/index.js';

const EPOCHS = 14;
/** The monitored metric per epoch (val_loss; val_accuracy is 1 - this). */
const METRICS = [1.0, 0.9, 0.95, 0.91, 0.89, 0.9, 0.9, 0.9, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6];

/**
 * torch 1.13's learning rate in each epoch for an SGD optimizer with lr 0.1, printed by
 *   /usr/bin/python3 scripts/torch_optimizer_reference.py   (the "schedulers" list)
 */
const TORCH: { name: string; class: string; args: Record<string, unknown>; lr: number[] }[] = [
  {
    name: "StepLR", class: "StepLR", args: {"stepSize": 3, "gamma": 0.5},
    lr: [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625],
  },
  {
    name: "MultiStepLR", class: "MultiStepLR", args: {"milestones": [2, 5, 5, 9], "gamma": 0.3},
    lr: [0.1, 0.1, 0.03, 0.03, 0.03, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0026999999999999997, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998, 0.0008099999999999998],
  },
  {
    name: "ExponentialLR", class: "ExponentialLR", args: {"gamma": 0.9},
    lr: [0.1, 0.09000000000000001, 0.08100000000000002, 0.07290000000000002, 0.06561000000000002, 0.05904900000000002, 0.05314410000000002, 0.04782969000000002, 0.043046721000000024, 0.03874204890000002, 0.03486784401000002, 0.03138105960900001, 0.028242953648100012, 0.025418658283290013],
  },
  {
    name: "CosineAnnealingLR", class: "CosineAnnealingLR", args: {"tMax": 8, "etaMin": 0.001},
    lr: [0.1, 0.0962320368593087, 0.0855017856687341, 0.06944282990207196, 0.0505, 0.03155717009792806, 0.0154982143312659, 0.004767963140691306, 0.001, 0.004767963140691307, 0.01549821433126591, 0.03155717009792807, 0.05050000000000005, 0.06944282990207204],
  },
  {
    name: "LinearWarmup", class: "LinearWarmup", args: {"warmupEpochs": 4, "startFactor": 0.25},
    lr: [0.025, 0.043750000000000004, 0.06250000000000001, 0.08125000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002, 0.10000000000000002],
  },
  {
    name: "LinearWarmup cosine", class: "LinearWarmup", args: {"warmupEpochs": 3, "startFactor": 0.1, "scheduler": {"class": "CosineAnnealingLR", "args": {"tMax": 6}}},
    lr: [0.010000000000000002, 0.04, 0.07, 0.1, 0.09330127018922195, 0.07500000000000001, 0.05, 0.025000000000000012, 0.006698729810778065, 0.0, 0.006698729810778065, 0.025, 0.05000000000000004, 0.07500000000000008],
  },
  {
    name: "LinearWarmup step", class: "LinearWarmup", args: {"warmupEpochs": 2, "startFactor": 0.5, "scheduler": {"class": "StepLR", "args": {"stepSize": 2, "gamma": 0.5}}},
    lr: [0.05, 0.07500000000000001, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125, 0.00625, 0.00625, 0.003125, 0.003125],
  },
  {
    name: "ReduceLROnPlateau", class: "ReduceLROnPlateau", args: {"metric": "val_loss", "factor": 0.5, "patience": 1, "threshold": 0.01, "cooldown": 1},
    lr: [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125],
  },
  {
    name: "ReduceLROnPlateau max abs", class: "ReduceLROnPlateau", args: {"metric": "val_accuracy", "mode": "max", "factor": 0.2, "patience": 0, "threshold": 0.05, "thresholdMode": "abs", "minLr": 0.003},
    lr: [0.1, 0.1, 0.1, 0.020000000000000004, 0.004000000000000001, 0.003, 0.003, 0.003, 0.003, 0.003, 0.003, 0.003, 0.003, 0.003],
  },];

/** These multiply the previous rate exactly as PyTorch does, so they must agree bit for bit. */
const MULTIPLICATIVE = new Set(['StepLR', 'MultiStepLR', 'ExponentialLR']);

function metricsAt(epoch: number): Record<string, number> {
  return { val_loss: METRICS[epoch]!, val_accuracy: 1 - METRICS[epoch]! };
}

function fresh(name: string, args: unknown): TrainingScheduler {
  return createScheduler(name, args, createOptimizer('SGD', { learningRate: 0.1 }));
}

for (const definition of schedulers.list()) {
  const examples = (definition.schema.examples as Record<string, unknown>[] | undefined) ?? [];
  const cases = TORCH.filter((c) => c.class === definition.name);

  describe(`scheduler ${definition.name}`, () => {
    it('schema compiles strictly, is documented, and its examples validate with defaults filled', () => {
      compileSchema(definition.schema);
      assertSchemaDocumented(definition.schema, 'scheduler', definition.name);
      assert.ok(examples.length > 0, 'schema has examples');
      for (const example of examples) {
        const complete = schedulers.validate(definition.name, example);
        for (const key of Object.keys(definition.schema.properties as object)) assert.ok(key in complete, `${key} filled`);
      }
    });

    it('rejects invalid arguments, naming every pointer', () => {
      assert.throws(
        () => fresh(definition.name, { ...examples[0], bogus: 1 }),
        (e: unknown) => e instanceof ValidationError && e.code === 'E_INVALID_ARGS' && e.issues.some((i) => i.pointer === '/bogus'),
      );
      const required = (definition.schema.required as string[] | undefined) ?? [];
      for (const key of required) {
        const args: Record<string, unknown> = { ...examples[0] };
        delete args[key];
        assert.throws(
          () => fresh(definition.name, args),
          (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.pointer === `/${key}`),
          `missing ${key} is reported`,
        );
      }
    });

    it('gives torch.optim.lr_scheduler\'s learning rates epoch by epoch', () => {
      assert.ok(cases.length > 0, `add ${definition.name} to scripts/torch_optimizer_reference.py and to TORCH here`);
      for (const c of cases) {
        const optimizer = createOptimizer('SGD', { learningRate: 0.1 });
        const scheduler = createScheduler(c.class, c.args, optimizer);
        for (let epoch = 0; epoch < EPOCHS; epoch += 1) {
          const expected = c.lr[epoch]!;
          const tolerance = MULTIPLICATIVE.has(c.class) ? 0 : 1e-15 + 1e-12 * expected;
          assert.ok(
            Math.abs(optimizer.learningRate - expected) <= tolerance,
            `${c.name} epoch ${epoch}: ${optimizer.learningRate} vs PyTorch ${expected}`,
          );
          assert.equal(scheduler.learningRate, optimizer.learningRate);
          scheduler.step(metricsAt(epoch));
        }
      }
    });

    it('resumes exactly: n epochs == k epochs, getState through JSON, fresh scheduler setState, n - k epochs', () => {
      const n = 12;
      for (const args of [...examples, ...cases.map((c) => c.args)]) {
        for (const k of [0, 1, 5, 11]) {
          const straightOptimizer = createOptimizer('SGD', { learningRate: 0.1 });
          const straight = createScheduler(definition.name, args, straightOptimizer);
          const rates: number[] = [];
          for (let e = 0; e < n; e += 1) {
            straight.step(metricsAt(e));
            rates.push(straightOptimizer.learningRate);
          }
          const first = fresh(definition.name, args);
          for (let e = 0; e < k; e += 1) first.step(metricsAt(e));
          const saved = JSON.parse(JSON.stringify(first.getState()));
          const optimizer = createOptimizer('SGD', { learningRate: 0.1 });
          const second = createScheduler(definition.name, args, optimizer);
          second.setState(saved);
          const resumed: number[] = rates.slice(0, k);
          for (let e = k; e < n; e += 1) {
            second.step(metricsAt(e));
            resumed.push(optimizer.learningRate);
          }
          assert.deepEqual(resumed, rates, `${JSON.stringify(args)} resumed after ${k} epochs`);
          assert.deepEqual(second.getState(), straight.getState());
        }
      }
    });

    it('refuses state that does not fit', () => {
      const scheduler = fresh(definition.name, examples[0]);
      const state = scheduler.getState();
      assert.throws(
        () => scheduler.setState({ ...state, lastEpoch: -2, extra: 1 }),
        (e: unknown) =>
          e instanceof BundleError &&
          e.code === 'E_STATE_MISMATCH' &&
          e.issues.some((i) => i.pointer === '/lastEpoch') &&
          e.issues.some((i) => i.pointer === '/extra'),
      );
      assert.deepEqual(scheduler.getState(), state, 'state unchanged');
    });
  });
}

describe('composed and metric-driven schedulers', () => {
  it('LinearWarmup reports its inner scheduler\'s invalid arguments under /scheduler/args and stores them complete', () => {
    assert.throws(
      () => fresh('LinearWarmup', { warmupEpochs: 2, scheduler: { class: 'StepLR', args: { gamma: -1 } } }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.issues.some((i) => i.pointer === '/scheduler/args/gamma') &&
        e.issues.some((i) => i.pointer === '/scheduler/args/stepSize'),
    );
    assert.throws(
      () => fresh('LinearWarmup', { warmupEpochs: 2, scheduler: { class: 'OneCycleLR' } }),
      (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.pointer === '/scheduler/class'),
    );
    const warmup = fresh('LinearWarmup', { warmupEpochs: 2, scheduler: { class: 'StepLR', args: { stepSize: 4 } } });
    assert.deepEqual(warmup.args.scheduler, { class: 'StepLR', args: { stepSize: 4, gamma: 0.1 } });
  });

  it('LinearWarmup with ReduceLROnPlateau inside passes the metrics on after the warmup', () => {
    const optimizer = createOptimizer('SGD', { learningRate: 1 });
    const scheduler = createScheduler(
      'LinearWarmup',
      { warmupEpochs: 2, startFactor: 0.5, scheduler: { class: 'ReduceLROnPlateau', args: { patience: 0, factor: 0.5 } } },
      optimizer,
    );
    const rates = [optimizer.learningRate];
    for (const loss of [3, 3, 1, 1, 1]) {
      scheduler.step({ val_loss: loss });
      rates.push(optimizer.learningRate);
    }
    assert.deepEqual(rates, [0.5, 0.75, 1, 1, 0.5, 0.25]);
  });

  it('types arguments for literal class names (checked by tsc in npm test)', () => {
    const optimizer = createOptimizer('SGD', { learningRate: 0.1 });
    // @ts-expect-error stepSize must be an integer, not a string
    assert.throws(() => createScheduler('StepLR', { stepSize: '3' }, optimizer), ValidationError);
    assert.equal(createScheduler('StepLR', { stepSize: 3 }, optimizer).learningRate, 0.1);
  });

  it('ReduceLROnPlateau needs its metric', () => {
    const scheduler = fresh('ReduceLROnPlateau', { metric: 'val_loss' });
    assert.throws(() => scheduler.step({ loss: 1 }), (e: unknown) => e instanceof ValidationError && e.issues[0]!.pointer === '/val_loss');
    assert.equal(scheduler.getState().lastEpoch, 0, 'a refused step changes nothing');
  });
});

describe('PyTorch reference', () => {
  it('TORCH above is what scripts/torch_optimizer_reference.py prints on this machine', () => {
    assert.deepEqual(torchReference().schedulers, TORCH);
  });
});
