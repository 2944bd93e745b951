import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { relativeError, seededValues, valuesOn } from './helpers/compare.js';
import { selectBackend } from '../src/index.js';
import { filterGradientChunking } from '../src/tfjs/backend/wasm-kernels/conv2d-backprop-filter.js';
import { tfjsGradient } from '../src/tfjs/backend/wasm-kernels/gradients.js';
import { affinePerChannel, batchNormInTraining } from '../src/tfjs/backend/wasm-kernels/batch-norm-training.js';
import { BatchNormalization } from '../src/tfjs/layers/batch-normalization.js';

// Each case compares archbundle's wasm kernel with TF.js's cpu backend (the reference).
const TOLERANCE = 2e-5;
const RUNS = 30;

before(async () => {
  await selectBackend('cpu');
  await selectBackend('wasm');
});

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface ConvCase {
  batch: number; height: number; width: number; inC: number; outC: number;
  kh: number; kw: number; strides: [number, number]; dilations: [number, number];
  pad: Pad; rounding: 'floor' | 'round' | 'ceil' | undefined; seed: number;
}

const padArb: fc.Arbitrary<{ pad: Pad; rounding: ConvCase['rounding'] }> = fc.oneof(
  fc.constantFrom('same' as const, 'valid' as const).map((pad) => ({ pad, rounding: undefined })),
  fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)).map(([t, b, l, r]) => ({
    pad: [[0, 0], [t, b], [l, r], [0, 0]] as tf.backend_util.ExplicitPadding, rounding: undefined,
  })),
  fc.record({ pad: fc.nat(2), rounding: fc.constantFrom('floor' as const, 'round' as const, 'ceil' as const) }),
);

function convCases(depthwise: boolean, dilated: boolean): fc.Arbitrary<ConvCase> {
  const step = fc.integer({ min: 1, max: 3 });
  return fc.record({
    batch: fc.integer({ min: 1, max: 3 }), height: fc.integer({ min: 1, max: 9 }), width: fc.integer({ min: 1, max: 9 }),
    inC: fc.integer({ min: 1, max: 4 }), outC: fc.integer({ min: 1, max: depthwise ? 3 : 4 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
    // TF.js's forward convolution allows strides > 1 or dilations > 1, not both.
    strides: dilated ? fc.constant([1, 1] as [number, number]) : fc.tuple(step, step),
    dilations: dilated ? fc.tuple(step, step) : fc.constant([1, 1] as [number, number]),
    padding: padArb, seed: fc.nat(),
  }).map(({ padding, ...c }) => ({ ...c, pad: padding.pad, rounding: padding.rounding }))
    .filter((c) => outShape(c, depthwise) !== undefined);
}

function filterShape(c: ConvCase): [number, number, number, number] {
  return [c.kh, c.kw, c.inC, c.outC];
}

function outShape(c: ConvCase, depthwise: boolean): [number, number, number, number] | undefined {
  try {
    const info = tf.backend_util.computeConv2DInfo(
      [c.batch, c.height, c.width, c.inC], filterShape(c), c.strides, c.dilations, c.pad, c.rounding, depthwise);
    return info.outHeight > 0 && info.outWidth > 0 ? info.outShape : undefined;
  } catch {
    return undefined;
  }
}

function tensors(c: ConvCase, depthwise: boolean) {
  const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inC];
  const dyShape = outShape(c, depthwise)!;
  return {
    xShape,
    x: () => tf.tensor4d(seededValues(tf.util.sizeFromShape(xShape), c.seed), xShape),
    w: () => tf.tensor4d(seededValues(tf.util.sizeFromShape(filterShape(c)), c.seed + 1), filterShape(c)),
    dy: () => tf.tensor4d(seededValues(tf.util.sizeFromShape(dyShape), c.seed + 2), dyShape),
  };
}

const attrsOf = (c: ConvCase) => ({
  strides: c.strides, pad: c.pad, dimRoundingMode: c.rounding, dilations: c.dilations, dataFormat: 'NHWC',
});

function assertClose(name: string, reference: Float32Array[], actual: Float32Array[], c: unknown, tolerance = TOLERANCE) {
  reference.forEach((r, i) => {
    const error = relativeError(r, actual[i]!);
    assert.ok(error <= tolerance, `${name}: relative error ${error} > ${tolerance} for ${JSON.stringify(c)}`);
  });
}

const KERNELS = [
  { name: 'Conv2DBackpropFilter', depthwise: false, grad: 'filter' },
  { name: 'Conv2DBackpropInput', depthwise: false, grad: 'input' },
  { name: 'DepthwiseConv2dNativeBackpropFilter', depthwise: true, grad: 'filter' },
  { name: 'DepthwiseConv2dNativeBackpropInput', depthwise: true, grad: 'input' },
] as const;

function runBackprop(kernel: (typeof KERNELS)[number], c: ConvCase, t: ReturnType<typeof tensors>): tf.Tensor {
  const attrs = kernel.grad === 'filter'
    ? { ...attrsOf(c), filterShape: filterShape(c) }
    : { ...attrsOf(c), inputShape: t.xShape };
  const inputs: tf.NamedTensorMap = kernel.grad === 'filter' ? { x: t.x(), dy: t.dy() } : { dy: t.dy(), filter: t.w() };
  return tf.engine().runKernel(kernel.name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

describe('wasm training kernels match the cpu backend', () => {
  for (const kernel of KERNELS) {
    it(`${kernel.name}: random shapes, strides and paddings`, () => {
      fc.assert(fc.property(convCases(kernel.depthwise, false), (c) => {
        const t = tensors(c, kernel.depthwise);
        const run = () => runBackprop(kernel, c, t);
        assertClose(kernel.name, valuesOn('cpu', run), valuesOn('wasm', run), c);
      }), { numRuns: RUNS, seed: 4 });
    });

    // TF.js's cpu backprop kernels ignore dilation, so dilated cases check the adjoint identity
    // <conv(x, W), dy> = <x, dx> = <W, dW> against the cpu backend's forward convolution.
    it(`${kernel.name}: dilations, by the adjoint of the cpu forward convolution`, () => {
      fc.assert(fc.property(convCases(kernel.depthwise, true), (c) => {
        const t = tensors(c, kernel.depthwise);
        const forward = () => {
          const conv = kernel.depthwise
            ? tf.depthwiseConv2d(t.x(), t.w(), c.strides, c.pad, 'NHWC', c.dilations, c.rounding)
            : tf.conv2d(t.x(), t.w(), c.strides, c.pad, 'NHWC', c.dilations, c.rounding);
          return [tf.sum(tf.mul(conv, t.dy())), tf.sum(tf.abs(tf.mul(conv, t.dy())))];
        };
        const [expected, scale] = valuesOn('cpu', forward).map((v) => v[0]!);
        const [grad] = valuesOn('wasm', () => runBackprop(kernel, c, t));
        const other = valuesOn('cpu', () => (kernel.grad === 'filter' ? t.w() : t.x()))[0]!;
        const actual = grad!.reduce((s, g, i) => s + g * other[i]!, 0);
        assert.ok(Math.abs(actual - expected!) <= 1e-4 * Math.max(scale!, 1e-6),
          `${kernel.name}: <grad, ${kernel.grad}> = ${actual}, expected ${expected} for ${JSON.stringify(c)}`);
      }), { numRuns: RUNS, seed: 5 });
    });
  }

  // Batches whose dy exceeds the chunk size are split into chunks read as views of one buffer:
  // chunks of one image (prime batch, or dy of one image above the limit) and of several.
  it('Conv2DBackpropFilter: batches split into chunks', () => {
    const kernel = KERNELS[0];
    const cases = convCases(false, false).chain((c) =>
      fc.tuple(fc.constantFrom(17, 36), fc.constantFrom(1, 20, 80)).map(([batch, dyElements]) => ({ ...c, batch, dyElements })));
    const saved = filterGradientChunking.dyElements;
    after(() => { filterGradientChunking.dyElements = saved; });
    fc.assert(fc.property(cases, ({ dyElements, ...c }) => {
      filterGradientChunking.dyElements = dyElements;
      const t = tensors(c, false);
      const run = () => runBackprop(kernel, c, t);
      assertClose(kernel.name, valuesOn('cpu', run), valuesOn('wasm', run), { ...c, dyElements });
    }), { numRuns: RUNS, seed: 9 });
    filterGradientChunking.dyElements = saved;
  });

  // 1x1 filters without padding take one matrix product; with padding, the general path.
  it('Conv2DBackpropFilter: 1x1 filters, strided and padded, either side transposed', () => {
    const kernel = KERNELS[0];
    const cases = convCases(false, false).map((c) => ({ ...c, kh: 1, kw: 1, inC: c.inC * 3, outC: c.outC * 4, batch: c.batch * 2 }))
      .filter((c) => outShape(c, false) !== undefined);
    fc.assert(fc.property(cases, (c) => {
      const t = tensors(c, false);
      const run = () => runBackprop(kernel, c, t);
      assertClose(kernel.name, valuesOn('cpu', run), valuesOn('wasm', run), c);
    }), { numRuns: RUNS, seed: 15 });
  });

  it('MaxPoolGrad: random windows, strides, paddings, with ties', () => {
    const cases = fc.record({
      batch: fc.integer({ min: 1, max: 2 }), height: fc.integer({ min: 1, max: 8 }), width: fc.integer({ min: 1, max: 8 }),
      channels: fc.integer({ min: 1, max: 3 }), fh: fc.integer({ min: 1, max: 4 }), fw: fc.integer({ min: 1, max: 4 }),
      sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), padding: padArb, seed: fc.nat(), ties: fc.boolean(),
    }).filter((c) => {
      try {
        const info = tf.backend_util.computePool2DInfo(
          [c.batch, c.height, c.width, c.channels], [c.fh, c.fw], [c.sh, c.sw], 1, c.padding.pad as 'same', c.padding.rounding);
        // Only 'same' and 'valid': with numeric pads TF.js's own wasm MaxPool (the forward pass,
        // not ours) writes past its output or returns garbage (rounded-up sizes, windows wholly in
        // the padding, non-square windows sized by their height), so no reference exists there.
        return info.outHeight > 0 && info.outWidth > 0 && typeof c.padding.pad === 'string';
      } catch {
        return false;
      }
    });
    fc.assert(fc.property(cases, (c) => {
      const shape: [number, number, number, number] = [c.batch, c.height, c.width, c.channels];
      // Rounded values make windows with several equal maxima (as ReLU's zeros do).
      const values = seededValues(tf.util.sizeFromShape(shape), c.seed).map((v) => (c.ties ? Math.round(v * 2) : v));
      const run = () => tf.grad((x: tf.Tensor) => {
        const y = tf.maxPool(x as tf.Tensor4D, [c.fh, c.fw], [c.sh, c.sw], c.padding.pad as 'same', c.padding.rounding);
        return tf.sum(tf.mul(y, tf.tensor(seededValues(y.size, c.seed + 1), y.shape)));
      })(tf.tensor4d(values, shape));
      assertClose('MaxPoolGrad', valuesOn('cpu', run), valuesOn('wasm', run), c, 1e-6);
    }), { numRuns: RUNS * 2, seed: 11 });
  });

  it('UnsortedSegmentSum: repeated, negative and out-of-range ids', () => {
    const cases = fc.record({
      rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 5 }),
      segments: fc.integer({ min: 1, max: 6 }), seed: fc.nat(),
    }).chain((c) => fc.record({ c: fc.constant(c), ids: fc.array(fc.integer({ min: -2, max: c.segments + 1 }), { minLength: c.rows, maxLength: c.rows }) }));
    fc.assert(fc.property(cases, ({ c, ids }) => {
      const run = () => tf.unsortedSegmentSum(
        tf.tensor2d(seededValues(c.rows * c.cols, c.seed), [c.rows, c.cols]), tf.tensor1d(ids, 'int32'), c.segments);
      assertClose('UnsortedSegmentSum', valuesOn('cpu', run), valuesOn('wasm', run), { c, ids });
    }), { numRuns: RUNS, seed: 6 });
  });

  it('Sum and Mean over any axes, with and without keepDims', () => {
    const cases = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
      keepDims: fc.boolean(), seed: fc.nat(), mask: fc.nat(31),
    });
    fc.assert(fc.property(cases, (c) => {
      const axes = c.shape.map((_, i) => i).filter((i) => (c.mask >> i) & 1);
      const x = () => tf.tensor(seededValues(tf.util.sizeFromShape(c.shape), c.seed), c.shape);
      const run = () => [tf.sum(x(), axes, c.keepDims), tf.mean(x(), axes, c.keepDims)];
      assertClose('Sum/Mean', valuesOn('cpu', run), valuesOn('wasm', run), { ...c, axes }, 1e-5);
    }), { numRuns: RUNS * 2, seed: 7 });
  });

  it('Tile, broadcast and general', () => {
    const cases = fc.record({
      shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
      seed: fc.nat(),
    }).chain((c) => fc.record({ c: fc.constant(c), reps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: c.shape.length, maxLength: c.shape.length }) }));
    fc.assert(fc.property(cases, ({ c, reps }) => {
      const run = () => tf.tile(tf.tensor(seededValues(tf.util.sizeFromShape(c.shape), c.seed), c.shape), reps);
      assertClose('Tile', valuesOn('cpu', run), valuesOn('wasm', run), { c, reps }, 0);
    }), { numRuns: RUNS, seed: 8 });
    // Only leading axes repeat (the contiguous copy path), including a repeat count that is not a power of two.
    for (const [shape, reps] of [[[1, 1, 3], [5, 7, 1]], [[1, 2, 2], [3, 1, 1]], [[1], [6]]] as [number[], number[]][]) {
      const run = () => tf.tile(tf.tensor(seededValues(tf.util.sizeFromShape(shape), 3), shape), reps);
      assertClose('Tile', valuesOn('cpu', run), valuesOn('wasm', run), { shape, reps }, 0);
    }
  });

  it('Identity and same-dtype Cast share buffers safely', () => {
    tf.setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    const ints = tf.cast(tf.tensor1d([1.7, -2.2]), 'int32');
    x.dispose();
    assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(cast.dataSync()), [1, 2, 3]);
    assert.deepEqual(Array.from(ints.dataSync()), [1, -2]);
    copy.dispose();
    assert.deepEqual(Array.from(cast.dataSync()), [1, 2, 3]);
    tf.dispose([cast, ints]);
  });

  it('releases every intermediate (no wasm memory leak per kernel call)', () => {
    tf.setBackend('wasm');
    const c: ConvCase = { batch: 2, height: 7, width: 6, inC: 3, outC: 2, kh: 3, kw: 2, strides: [2, 1], dilations: [1, 1], pad: 'same', rounding: undefined, seed: 1 };
    for (const kernel of KERNELS) {
      const t = tensors(c, kernel.depthwise);
      const before = tf.memory().numTensors;
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const ids = backend.numDataIds();
      tf.tidy(() => { runBackprop(kernel, c, t); });
      assert.equal(tf.memory().numTensors, before, kernel.name);
      assert.equal(backend.numDataIds(), ids, `${kernel.name} leaves no wasm buffers behind`);
    }
    const chunked: ConvCase = { ...c, batch: 36 };
    const tc = tensors(chunked, false);
    const ids = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const saved = filterGradientChunking.dyElements;
    filterGradientChunking.dyElements = 50;
    tf.tidy(() => { runBackprop(KERNELS[0], chunked, tc); });
    filterGradientChunking.dyElements = saved;
    assert.equal((tf.backend() as unknown as { numDataIds(): number }).numDataIds(), ids, 'chunked Conv2DBackpropFilter leaves no wasm buffers behind');
    for (const pointwise of [{ ...c, kh: 1, kw: 1, inC: 5, outC: 2 }, { ...c, kh: 1, kw: 1, inC: 2, outC: 5, strides: [1, 1] as [number, number] }]) {
      const tp = tensors(pointwise, false);
      const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      tf.tidy(() => { runBackprop(KERNELS[0], pointwise, tp); });
      assert.equal((tf.backend() as unknown as { numDataIds(): number }).numDataIds(), before, '1x1 Conv2DBackpropFilter leaves no wasm buffers behind');
    }
    const x = tf.randomNormal([2, 6, 6, 3]);
    const others: [string, () => unknown][] = [
      ['MaxPoolGrad (tiled windows)', () => tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(x)],
      ['MaxPoolGrad (overlapping windows)', () => tf.grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 3, 2, 'same')))(x)],
      ['FusedBatchNorm', () => tf.batchNorm(x, tf.ones([3]), tf.ones([3]), tf.zeros([3]), tf.ones([3]))],
      ['FusedBatchNorm (broadcasting statistics)', () => tf.batchNorm(x, tf.ones([1, 6, 1, 1]), tf.ones([1, 6, 1, 1]))],
      ['batchNormInTraining and its gradient', () => tf.grads((v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { y, mean, variance } = batchNormInTraining(v, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5);
        tf.dispose([mean, variance]);
        return tf.sum(tf.square(y));
      })([x, tf.ones([3]), tf.zeros([3])])],
      ['Sum/Mean', () => [tf.sum(x, [0, 1, 2]), tf.mean(x, [1, 2])]],
      ['Tile', () => tf.tile(tf.ones([1, 1, 3]), [4, 5, 1])],
      ['Tile (general broadcast)', () => tf.tile(tf.ones([2, 1, 3]), [1, 5, 1])],
      ['UnsortedSegmentSum', () => tf.unsortedSegmentSum(tf.ones([4, 2]), tf.tensor1d([0, 5, -1, 1], 'int32'), 3)],
    ];
    const backend = tf.backend() as unknown as { numDataIds(): number };
    for (const [name, run] of others) {
      const before = tf.memory().numTensors;
      const ids = backend.numDataIds();
      tf.tidy(() => { run(); });
      assert.equal(tf.memory().numTensors, before, name);
      assert.equal(backend.numDataIds(), ids, `${name} leaves no wasm buffers behind`);
    }
    x.dispose();
  });
});

describe('lean gradients and batch norm equal TF.js\'s own', () => {
  const shapes = fc.record({
    n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }),
    c: fc.integer({ min: 1, max: 5 }), seed: fc.nat(), withScale: fc.boolean(), withOffset: fc.boolean(),
  });

  // Statistics as [C] or [1, 1, 1, C] (TF.js's batchNorm reads them per channel of the last axis;
  // the cpu backend indexes them modulo their length, so no other layout has a reference).
  it('FusedBatchNorm forward on wasm matches cpu', () => {
    const cases = fc.record({ s: shapes, statistics: fc.constantFrom('vector', 'channels') });
    fc.assert(fc.property(cases, ({ s, statistics }) => {
      const shape = [s.n, s.h, s.w, s.c];
      const statShape = statistics === 'vector' ? [s.c] : [1, 1, 1, s.c];
      const stat = (seed: number) => tf.tensor(seededValues(tf.util.sizeFromShape(statShape), seed), statShape);
      const run = () => tf.batchNorm(
        tf.tensor(seededValues(s.n * s.h * s.w * s.c, s.seed), shape),
        stat(s.seed + 1),
        tf.add(tf.abs(stat(s.seed + 2)), 0.1),
        s.withOffset ? stat(s.seed + 3) : undefined,
        s.withScale ? stat(s.seed + 4) : undefined,
        1e-3,
      );
      assertClose('FusedBatchNorm', valuesOn('cpu', run), valuesOn('wasm', run), { ...s, statistics }, 1e-5);
    }), { numRuns: RUNS, seed: 9 });
  });

  it('affinePerChannel rounds as a multiply then an add, on both backends', () => {
    fc.assert(fc.property(shapes, (s) => {
      const shape = [s.n, s.h, s.w, s.c];
      const x = () => tf.tensor(seededValues(s.n * s.h * s.w * s.c, s.seed), shape);
      const scale = () => tf.tensor1d(seededValues(s.c, s.seed + 1));
      const shift = () => tf.tensor1d(seededValues(s.c, s.seed + 2));
      const composed = () => tf.add(tf.mul(x(), scale()), shift());
      const fused = () => affinePerChannel(x(), scale(), shift());
      for (const backend of ['cpu', 'wasm'] as const) {
        assertClose(`affinePerChannel on ${backend}`, valuesOn(backend, composed), valuesOn(backend, fused), s, 0);
      }
    }), { numRuns: RUNS, seed: 12 });
  });

  it('FusedBatchNorm, Sum and Mean gradients give TF.js\'s values', () => {
    fc.assert(fc.property(shapes, (s) => {
      const shape = [s.n, s.h, s.w, s.c];
      const size = s.n * s.h * s.w * s.c;
      const results = (lean: boolean) => valuesOn('cpu', () => {
        const x = tf.tensor(seededValues(size, s.seed), shape);
        const stats = [tf.tensor1d(seededValues(s.c, s.seed + 1)), tf.add(tf.abs(tf.tensor1d(seededValues(s.c, s.seed + 2))), 0.1)];
        const scale = s.withScale ? tf.tensor1d(seededValues(s.c, s.seed + 4)) : undefined;
        const dy = tf.tensor(seededValues(size, s.seed + 5), shape);
        const pick = (name: string) => (lean ? tf.getGradient(name) : tfjsGradient(name))!;
        const bn = pick('FusedBatchNorm').gradFunc(dy, [x, stats[0]!, stats[1]!, scale!], { varianceEpsilon: 1e-3 });
        const names = s.withScale ? ['x', 'mean', 'variance', 'scale', 'offset'] : ['x', 'mean', 'variance', 'offset'];
        const dySmall = tf.tensor1d(seededValues(s.c, s.seed + 6));
        const sum = pick('Sum').gradFunc(dySmall, [x], { axis: [0, 1, 2], keepDims: false });
        const mean = pick('Mean').gradFunc(dySmall, [x], { axis: [0, 1, 2], keepDims: false });
        return [...names.map((k) => (bn as Record<string, () => tf.Tensor>)[k]!()), sum.x!() as tf.Tensor, mean.x!() as tf.Tensor];
      });
      assertClose('gradients', results(false), results(true), s, 1e-5);
    }), { numRuns: RUNS, seed: 10 });
  });
});

describe('batch norm in training', () => {
  const cases = fc.record({
    shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
    seed: fc.nat(),
    // An offset and spread unlike 0 and 1, as a convolution's output has; gamma may be all zeros
    // (zero-initialised residual branches).
    offset: fc.constantFrom(0, 3, -20), spread: fc.constantFrom(1, 0.01, 5), zeroGamma: fc.boolean(),
    epsilon: fc.constantFrom(1e-3, 1e-5),
  }).filter((c) => tf.util.sizeFromShape(c.shape) / c.shape[c.shape.length - 1]! > 1);

  function inputs(c: { shape: number[]; seed: number; offset: number; spread: number; zeroGamma: boolean }) {
    const channels = c.shape[c.shape.length - 1]!;
    const size = tf.util.sizeFromShape(c.shape);
    return {
      axes: c.shape.slice(0, -1).map((_, i) => i),
      x: () => tf.add(tf.mul(tf.tensor(seededValues(size, c.seed), c.shape), c.spread), c.offset),
      gamma: () => (c.zeroGamma ? tf.zeros([channels]) : tf.tensor1d(seededValues(channels, c.seed + 1))) as tf.Tensor1D,
      beta: () => tf.tensor1d(seededValues(channels, c.seed + 2)),
      dy: () => tf.tensor(seededValues(size, c.seed + 3), c.shape),
    };
  }

  /** y, mean, variance and the gradients of sum(y * dy) for x, gamma and beta. */
  function fused(t: ReturnType<typeof inputs>, epsilon: number): tf.Tensor[] {
    const dy = t.dy();
    const forward = batchNormInTraining(t.x(), t.gamma(), t.beta(), epsilon);
    const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { y, mean, variance } = batchNormInTraining(x, g as tf.Tensor1D, b as tf.Tensor1D, epsilon);
      tf.dispose([mean, variance]);
      return tf.sum(tf.mul(y, dy));
    })([t.x(), t.gamma(), t.beta()]);
    return [forward.y, forward.mean, forward.variance, ...grads];
  }

  /** The same through tf.moments and tf.batchNorm, differentiated op by op. */
  function composed(t: ReturnType<typeof inputs>, epsilon: number): tf.Tensor[] {
    const dy = t.dy();
    const run = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, t.axes);
      return { y: tf.batchNorm(x, mean, variance, b, g, epsilon), mean, variance };
    };
    const forward = run(t.x(), t.gamma(), t.beta());
    const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(run(x, g, b).y, dy)))([t.x(), t.gamma(), t.beta()]);
    return [forward.y, forward.mean, forward.variance, ...grads];
  }

  /**
   * Gradients compared relative to the size of the terms they are sums of, not to their own: dx
   * and dgamma cancel to near zero whenever dy is nearly a per-channel affine function of x (two
   * rows per channel always), and there any two summation orders differ by more than their size.
   */
  function assertGradientsClose(name: string, reference: Float32Array[], actual: Float32Array[], c: Parameters<typeof inputs>[0] & { epsilon: number }, tolerance: number) {
    const t = valuesOn('cpu', () => { const i = inputs(c); return [i.dy(), i.gamma()]; });
    const dyMax = Math.max(...t[0]!.map(Math.abs));
    const gammaMax = Math.max(...t[1]!.map(Math.abs));
    const rows = tf.util.sizeFromShape(c.shape) / c.shape[c.shape.length - 1]!;
    const variance = reference[2]!;
    const kMax = gammaMax / Math.sqrt(Math.min(...variance) + c.epsilon);
    const floors = [dyMax * kMax, rows * dyMax, rows * dyMax];
    reference.slice(3).forEach((r, i) => {
      const error = relativeError(r, actual[i + 3]!, Math.max(floors[i]!, 1e-6));
      assert.ok(error <= tolerance, `${name}: ${['dx', 'dgamma', 'dbeta'][i]} relative error ${error} > ${tolerance} for ${JSON.stringify(c)}`);
    });
  }

  it('batchNormInTraining: the values of tf.moments + tf.batchNorm exactly, and their gradients', () => {
    fc.assert(fc.property(cases, (c) => {
      const t = inputs(c);
      for (const backend of ['cpu', 'wasm'] as const) {
        const reference = valuesOn(backend, () => composed(t, c.epsilon));
        const actual = valuesOn(backend, () => fused(t, c.epsilon));
        assertClose(`forward on ${backend}`, reference.slice(0, 3), actual.slice(0, 3), c, 0);
        assertGradientsClose(`gradients on ${backend}`, reference, actual, c, 1e-5);
      }
    }), { numRuns: RUNS, seed: 13 });
  });

  // The backends sum in different orders, so their means differ by rounding relative to the
  // offset; the centred values, and all that follows from them, inherit it relative to the spread.
  it('batchNormInTraining on wasm matches cpu', () => {
    fc.assert(fc.property(cases, (c) => {
      const t = inputs(c);
      const conditioning = 1 + Math.abs(c.offset) / c.spread;
      const reference = valuesOn('cpu', () => fused(t, c.epsilon));
      const actual = valuesOn('wasm', () => fused(t, c.epsilon));
      assertClose('batchNormInTraining forward', reference.slice(0, 3), actual.slice(0, 3), c, 1e-5 * conditioning);
      assertGradientsClose('batchNormInTraining', reference, actual, c, 1e-5 * conditioning);
    }), { numRuns: RUNS, seed: 14 });
  });

  it('BatchNormalization trains as TF.js\'s layer: same output and running statistics, same gradients, same inference', () => {
    tf.setBackend('wasm');
    const shape = [6, 5, 4, 3];
    const args = { axis: -1, momentum: 0.9, epsilon: 1e-5, gammaInitializer: tf.initializers.constant({ value: 1.5 }), betaInitializer: tf.initializers.constant({ value: 0.2 }) };
    const ours = new BatchNormalization({ ...args, name: 'bn_ours' });
    const theirs = tf.layers.batchNormalization({ ...args, name: 'bn_tfjs' });
    assert.equal(ours.getClassName(), theirs.getClassName());
    ours.build(shape);
    theirs.build(shape);
    const x = tf.add(tf.mul(tf.tensor(seededValues(tf.util.sizeFromShape(shape), 21), shape), 4), 2);
    const dy = tf.tensor(seededValues(tf.util.sizeFromShape(shape), 22), shape);
    const step = (layer: tf.layers.Layer) => {
      const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar, variables);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(layer.apply(v, { training: true }) as tf.Tensor, dy)))(x);
      return {
        loss: value.dataSync(), grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array), dx: dx.dataSync() as Float32Array,
        inference: (layer.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array,
        weights: layer.getWeights().map((w) => w.dataSync() as Float32Array),
        names: layer.weights.map((w) => w.originalName),
      };
    };
    const a = tf.tidy(() => step(ours));
    const b = tf.tidy(() => step(theirs));
    assert.deepEqual(a.names, b.names);
    assert.deepEqual(a.loss, b.loss);
    assertClose('gamma, beta gradients', b.grads, a.grads, shape, 1e-5);
    assertClose('dx', [b.dx], [a.dx], shape, 1e-5);
    assert.deepEqual(a.weights, b.weights, 'running statistics updated as TF.js does');
    assert.deepEqual(a.inference, b.inference);
    tf.dispose([x, dy]);
    for (const w of [...ours.weights, ...theirs.weights]) w.dispose();
  });
});
