import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { assertSchemaDocumented } from './helpers/schema.js';
import { torchReference } from './helpers/torch-reference.js';
import { compileSchema } from '../src/core/validate.js';
import { BundleError, RegistryError, ValidationError, createOptimizer, type TrainingOptimizer, optimizers } from '../src/index.js';
import { builtinOptimizerSpecs } from '../src/core/optimizers/specs.js';

before(useTestBackend);

const WEIGHTS = [0.5, -1.25, 2.0, 0.03125, -0.75, 1.5];
const GRADIENTS = [
  [0.1, -0.2, 0.3, -0.4, 0.05, 1.5],
  [-0.3, 0.25, 0.0, 0.6, -0.05, 1.0],
  [0.2, 0.2, -0.7, 0.1, 0.5, -2.0],
];

/**
 * torch 1.13's weights after each of three steps with GRADIENTS from WEIGHTS, printed by
 *   /usr/bin/python3 scripts/torch_optimizer_reference.py   (the "optimizers" list)
 */
const TORCH: { name: string; class: string; args: Record<string, unknown>; after: number[][] }[] = [
  {
    name: "SGD", class: "SGD", args: {"learningRate": 0.1},
    after: [
      [0.49000000953674316, -1.2300000190734863, 1.9700000286102295, 0.07124999910593033, -0.7549999952316284, 1.350000023841858],
      [0.5200000405311584, -1.2549999952316284, 1.9700000286102295, 0.011249995790421963, -0.75, 1.25],
      [0.5000000596046448, -1.274999976158142, 2.0399999618530273, 0.0012499955482780933, -0.800000011920929, 1.4500000476837158],
    ],
  },
  {
    name: "SGD momentum", class: "SGD", args: {"learningRate": 0.1, "momentum": 0.9, "dampening": 0.1, "weightDecay": 0.01},
    after: [
      [0.4894999861717224, -1.2287499904632568, 1.968000054359436, 0.07121875137090683, -0.7542499899864197, 1.3485000133514404],
      [0.5066094398498535, -1.231019139289856, 1.9374288320541382, 0.05312652513384819, -0.7528961896896362, 1.120936393737793],
      [0.5035520195960999, -1.2499533891677856, 1.9711710214614868, 0.027795709669589996, -0.7960001230239868, 1.0951203107833862],
    ],
  },
  {
    name: "SGD nesterov", class: "SGD", args: {"learningRate": 0.05, "momentum": 0.8, "nesterov": true, "weightDecay": 0.001},
    after: [
      [0.4909549951553345, -1.2318874597549438, 1.9728200435638428, 0.0672471895813942, -0.7544324994087219, 1.3648649454116821],
      [0.5146948099136353, -1.2478365898132324, 1.962978482246399, 0.026040134951472282, -0.7514405846595764, 1.226694107055664],
      [0.5036599636077881, -1.2685328722000122, 2.018007516860962, 0.008074838668107986, -0.7960096001625061, 1.3361016511917114],
    ],
  },
  {
    name: "Adam", class: "Adam", args: {"learningRate": 0.01},
    after: [
      [0.49000000953674316, -1.2400000095367432, 1.9900000095367432, 0.04124999791383743, -0.7599999904632568, 1.4900000095367432],
      [0.49494192004203796, -1.2416273355484009, 1.9832993745803833, 0.03877297788858414, -0.7594736814498901, 1.4802964925765991],
      [0.49475404620170593, -1.2460801601409912, 1.987133264541626, 0.03599836677312851, -0.7657420635223389, 1.4800235033035278],
    ],
  },
  {
    name: "Adam amsgrad", class: "Adam", args: {"learningRate": 0.02, "beta1": 0.8, "beta2": 0.9, "epsilon": 1e-06, "weightDecay": 0.1, "amsgrad": true},
    after: [
      [0.4800001382827759, -1.2300000190734863, 1.9800000190734863, 0.051249951124191284, -0.7300007939338684, 1.4800000190734863],
      [0.4869857430458069, -1.2238913774490356, 1.962181806564331, 0.04506899043917656, -0.7125170826911926, 1.460527777671814],
      [0.48177337646484375, -1.2227263450622559, 1.9626703262329102, 0.03873387351632118, -0.7220507264137268, 1.459905743598938],
    ],
  },
  {
    name: "AdamW", class: "AdamW", args: {"learningRate": 0.01, "weightDecay": 0.1},
    after: [
      [0.4895000159740448, -1.2387499809265137, 1.9880000352859497, 0.041218750178813934, -0.7592499852180481, 1.4884999990463257],
      [0.4939524233341217, -1.2391386032104492, 1.979311466217041, 0.038700513541698456, -0.7579644322395325, 1.4773080348968506],
      [0.493270605802536, -1.2423522472381592, 1.981166124343872, 0.035887204110622406, -0.7634748816490173, 1.475557804107666],
    ],
  },
  {
    name: "AdamW amsgrad", class: "AdamW", args: {"learningRate": 0.03, "amsgrad": true},
    after: [
      [0.46985000371932983, -1.2196249961853027, 1.9694000482559204, 0.06124062463641167, -0.7797749638557434, 1.4695500135421753],
      [0.48453474044799805, -1.2241411209106445, 1.9487175941467285, 0.053791195154190063, -0.7779620885848999, 1.4399986267089844],
      [0.48382577300071716, -1.2371324300765991, 1.959634780883789, 0.04545122757554054, -0.7965338230133057, 1.438747763633728],
    ],
  },
  {
    name: "RMSprop", class: "RMSprop", args: {"learningRate": 0.01},
    after: [
      [0.40000009536743164, -1.1500000953674316, 1.9000000953674316, 0.13124997913837433, -0.8499997854232788, 1.399999976158142],
      [0.4949158728122711, -1.2282397747039795, 1.9000000953674316, 0.047916658222675323, -0.7791117429733276, 1.344336986541748],
      [0.44125258922576904, -1.281487226486206, 1.9920568466186523, 0.03409183770418167, -0.8781409859657288, 1.418897271156311],
    ],
  },
  {
    name: "RMSprop centered momentum", class: "RMSprop", args: {"learningRate": 0.01, "alpha": 0.9, "epsilon": 1e-06, "weightDecay": 0.01, "momentum": 0.5, "centered": true},
    after: [
      [0.4666677415370941, -1.2166671752929688, 1.9666670560836792, 0.06458305567502975, -0.7833307385444641, 1.4666666984558105],
      [0.48060768842697144, -1.22415030002594, 1.9478429555892944, 0.05435425788164139, -0.7739556431770325, 1.4298261404037476],
      [0.46956780552864075, -1.2452157735824585, 1.9679876565933228, 0.04452182352542877, -0.8021389245986938, 1.435617446899414],
    ],
  },];

/** Float32 results agree with PyTorch's to rounding (PyTorch fuses some multiply-adds). */
function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  for (let i = 0; i < expected.length; i += 1) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= 1e-7 + 1e-6 * Math.abs(e), `${what}[${i}]: ${a} vs PyTorch ${e}`);
  }
}

/** Two weights (one a matrix, as in a dense kernel) and a deterministic gradient for step `s`. */
function weights(): { name: string; variable: tf.Variable }[] {
  return [
    { name: 'fc1/kernel', variable: tf.variable(tf.tensor2d([[0.5, -0.25, 1], [2, -1.5, 0.125]]), true) },
    { name: 'fc1/bias', variable: tf.variable(tf.tensor1d([0.1, -0.2, 0.3]), true) },
  ];
}

function stepWith(optimizer: TrainingOptimizer, ws: { name: string; variable: tf.Variable }[], s: number): void {
  const gradients = ws.map(({ name, variable }) => ({
    name,
    variable,
    gradient: tf.tidy(() => tf.sin(tf.add(tf.mul(variable, 3), s))),
  }));
  optimizer.applyGradients(gradients);
  tf.dispose(gradients.map((g) => g.gradient));
}

function bits(tensors: tf.Tensor[]): number[] {
  return tensors.flatMap((t) => [...new Uint32Array(t.dataSync().slice().buffer)]);
}

for (const definition of optimizers.list()) {
  const examples = (definition.schema.examples as Record<string, unknown>[] | undefined) ?? [];
  const cases = TORCH.filter((c) => c.class === definition.name);
  const configurations = [...examples, ...cases.map((c) => c.args)];

  describe(`optimizer ${definition.name}`, () => {
    it('schema compiles strictly, is documented, and its examples validate with defaults filled', () => {
      compileSchema(definition.schema);
      assertSchemaDocumented(definition.schema, 'optimizer', definition.name);
      assert.ok(examples.length > 0, 'schema has examples');
      for (const example of examples) {
        const complete = optimizers.validate(definition.name, example);
        for (const key of Object.keys(definition.schema.properties as object)) assert.ok(key in complete, `${key} filled`);
      }
    });

    it('rejects invalid arguments, naming every pointer', () => {
      const bad = { ...examples[0], learningRate: -1, bogus: true };
      assert.throws(
        () => createOptimizer(definition.name, bad),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.code === 'E_INVALID_ARGS' &&
          e.issues.some((i) => i.pointer === '/learningRate') &&
          e.issues.some((i) => i.pointer === '/bogus'),
      );
    });

    it('matches torch.optim step by step', () => {
      assert.ok(cases.length > 0, `add ${definition.name} to scripts/torch_optimizer_reference.py and to TORCH here`);
      for (const c of cases) {
        const variable = tf.variable(tf.tensor1d(WEIGHTS));
        const optimizer = createOptimizer(c.class, c.args);
        GRADIENTS.forEach((g, s) => {
          const gradient = tf.tensor1d(g);
          optimizer.applyGradients([{ name: 'w', variable, gradient }]);
          gradient.dispose();
          assertClose(variable.dataSync(), c.after[s]!, `${c.name} step ${s + 1}`);
        });
        optimizer.dispose();
        variable.dispose();
      }
    });

    it('resumes bit for bit: 2k steps == k steps, getState, fresh optimizer + setState, k steps', () => {
      const k = 3;
      for (const args of configurations) {
        const straight = weights();
        const a = createOptimizer(definition.name, args);
        for (let s = 0; s < 2 * k; s += 1) stepWith(a, straight, s);

        const resumed = weights();
        const b = createOptimizer(definition.name, args);
        for (let s = 0; s < k; s += 1) stepWith(b, resumed, s);
        const state = b.getState();
        b.dispose();
        const c = createOptimizer(definition.name, args);
        c.setState(state, resumed.map(({ name, variable }) => ({ name, shape: variable.shape })));
        tf.dispose(state.tensors.map((t) => t.tensor));
        for (let s = k; s < 2 * k; s += 1) stepWith(c, resumed, s);

        assert.deepEqual(bits(resumed.map((w) => w.variable)), bits(straight.map((w) => w.variable)), `${JSON.stringify(args)} resumes exactly`);
        const slotsA = a.getState();
        const slotsC = c.getState();
        assert.equal(slotsC.step, slotsA.step);
        assert.deepEqual(slotsC.tensors.map((t) => t.name), slotsA.tensors.map((t) => t.name));
        assert.deepEqual(bits(slotsC.tensors.map((t) => t.tensor)), bits(slotsA.tensors.map((t) => t.tensor)));
        tf.dispose([...slotsA.tensors, ...slotsC.tensors].map((t) => t.tensor));
        a.dispose();
        c.dispose();
        tf.dispose([...straight, ...resumed].map((w) => w.variable));
      }
    });

    it('names state tensors "<weight>/<slot>" and leaks no tensor per step', () => {
      const args = examples[examples.length - 1];
      const ws = weights();
      const optimizer = createOptimizer(definition.name, args);
      stepWith(optimizer, ws, 0);
      const count = tf.memory().numTensors;
      stepWith(optimizer, ws, 1);
      assert.equal(tf.memory().numTensors, count, 'no tensor leaked by a step');
      const state = optimizer.getState();
      assert.equal(state.step, 2);
      for (const { name } of state.tensors) assert.match(name, /^fc1\/(kernel|bias)\/[a-z_]+$/);
      tf.dispose(state.tensors.map((t) => t.tensor));
      optimizer.dispose();
      tf.dispose(ws.map((w) => w.variable));
      assert.equal(tf.memory().numTensors, count - 2 - state.tensors.length, 'dispose frees the slots');
    });
  });
}

describe('optimizer state that does not fit', () => {
  it('lists every misfit slot with E_STATE_MISMATCH and keeps the old state', () => {
    const optimizer = createOptimizer('Adam', {});
    const ws = weights();
    stepWith(optimizer, ws, 0);
    const good = optimizer.getState();
    const tensors = [
      { name: 'fc1/kernel/exp_avg', tensor: tf.zeros([3, 2]) },
      { name: 'fc1/kernel/exp_avg_sq', tensor: tf.zeros([3, 2]) },
      { name: 'fc1/bias/exp_avg', tensor: tf.zeros([3]) },
      { name: 'fc1/bias/momentum', tensor: tf.zeros([3]) },
      { name: 'fc9/bias/exp_avg', tensor: tf.zeros([3]) },
      { name: 'fc1/bias/exp_avg_sq', tensor: tf.zeros([3], 'int32') },
    ];
    const shapes = ws.map(({ name, variable }) => ({ name, shape: variable.shape }));
    assert.throws(
      () => optimizer.setState({ step: -1, tensors }, shapes),
      (e: unknown) => {
        assert.ok(e instanceof BundleError && e.code === 'E_STATE_MISMATCH');
        const text = e.issues.map((i) => `${i.pointer} ${i.keyword}`);
        assert.deepEqual(text, [
          '/step step',
          '/tensors/0 shape',
          '/tensors/1 shape',
          '/tensors/3 slot',
          '/tensors/4 weight',
          '/tensors/5 dtype',
          '/tensors required',
        ]);
        return true;
      },
    );
    const after = optimizer.getState();
    assert.deepEqual(after.tensors.map((t) => t.name), good.tensors.map((t) => t.name), 'old state kept');
    tf.dispose([...tensors, ...good.tensors, ...after.tensors].map((t) => t.tensor));
    optimizer.dispose();
    tf.dispose(ws.map((w) => w.variable));
  });

  it('refuses a slot whose shape no longer fits its weight at the next update', () => {
    const optimizer = createOptimizer('SGD', { learningRate: 0.1, momentum: 0.9 });
    const buffer = tf.zeros([2]);
    optimizer.setState({ step: 1, tensors: [{ name: 'fc1/bias/momentum_buffer', tensor: buffer }] });
    const ws = weights();
    assert.throws(() => stepWith(optimizer, ws, 0), (e: unknown) => e instanceof BundleError && e.code === 'E_STATE_MISMATCH');
    tf.dispose([buffer, ...ws.map((w) => w.variable)]);
    optimizer.dispose();
  });
});

describe('optimizer registry', () => {
  it('every built-in optimizer spec (what `archbundle validate` checks) has its update rule attached', () => {
    assert.deepEqual(optimizers.names(), builtinOptimizerSpecs.map((spec) => spec.name).sort());
    for (const spec of optimizers.list()) assert.equal(typeof optimizers.implementation(spec.name), 'function', spec.name);
  });

  it('refuses unknown classes and SGD Nesterov without momentum', () => {
    assert.throws(() => createOptimizer('Adagrad', {}), (e: unknown) => e instanceof RegistryError && e.code === 'E_UNKNOWN_CLASS');
    assert.throws(
      () => createOptimizer('SGD', { learningRate: 0.1, nesterov: true }),
      (e: unknown) => e instanceof ValidationError && e.issues.some((i) => i.pointer === '/nesterov'),
    );
  });

  it('types arguments for literal class names (checked by tsc in npm test)', () => {
    // @ts-expect-error learningRate must be a number
    assert.throws(() => createOptimizer('SGD', { learningRate: 'fast' }), ValidationError);
    // @ts-expect-error SGD has no beta1
    assert.throws(() => createOptimizer('SGD', { learningRate: 0.1, beta1: 0.9 }), ValidationError);
  });

  it('starts at the configured learning rate and stores complete arguments', () => {
    const optimizer = createOptimizer('AdamW', { learningRate: 0.002 });
    assert.equal(optimizer.learningRate, 0.002);
    assert.deepEqual(optimizer.args, { learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, amsgrad: false });
  });
});

describe('PyTorch reference', () => {
  it('TORCH above is what scripts/torch_optimizer_reference.py prints on this machine', () => {
    assert.deepEqual(torchReference().optimizers, TORCH);
  });
});
