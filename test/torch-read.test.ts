/**
 * Files written by real PyTorch (scripts/torch_files.py; both serialisations, pickle protocols 2,
 * 4 and 5, and a zip64 form) read back to exactly what torch.load gives: every Python value, every
 * tensor's dtype, shape, strides, offset and storage sharing, and every element bit for bit.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  ArchbundleError,
  PyBytes,
  PyDict,
  PyTuple,
  readTorchFile,
  tensorBigInts,
  tensorFloat32,
  tensorInt,
  tensorNumbers,
  TorchDevice,
  type PyValue,
  type TorchStorage,
  type TorchTensor,
} from '../src/core/index.js';
import { FIXTURES, fixture, expected, type Tagged, type TaggedTensor } from './helpers/torch-files.js';

/** Compares a value with torch's, tag by tag; storages are numbered in order of first appearance, as the script does. */
class Comparer {
  private readonly indexOf = new Map<TorchStorage, number>();
  private readonly storageAt = new Map<number, TorchStorage>();

  same(actual: PyValue, tag: Tagged, path: string): void {
    if (tag === null) return assert.equal(actual, null, path);
    if ('bool' in tag) return assert.equal(actual, tag.bool, path);
    if ('int' in tag) {
      const n = BigInt(tag.int);
      const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
      return assert.equal(actual, safe ? Number(n) : n, `${path}: the int ${tag.int}`);
    }
    if ('float' in tag) {
      assert.equal(typeof actual, 'number', path);
      return assert.equal(floatHex(actual as number), tag.float, `${path}: the float's bits`);
    }
    if ('str' in tag) return assert.equal(actual, tag.str, path);
    if ('bytes' in tag) {
      assert.ok(actual instanceof PyBytes, `${path} is bytes`);
      return assert.equal(Buffer.from(actual.bytes).toString('hex'), tag.bytes, path);
    }
    if ('device' in tag) {
      assert.ok(actual instanceof TorchDevice, `${path} is a device`);
      return assert.equal(actual.name, tag.device, path);
    }
    if ('tuple' in tag) {
      assert.ok(actual instanceof PyTuple, `${path} is a tuple`);
      assert.equal(actual.items.length, tag.tuple.length, `${path} length`);
      return tag.tuple.forEach((t, i) => this.same(actual.items[i]!, t, `${path}[${i}]`));
    }
    if ('list' in tag) {
      assert.ok(Array.isArray(actual), `${path} is a list`);
      assert.equal(actual.length, tag.list.length, `${path} length`);
      return tag.list.forEach((t, i) => this.same(actual[i]!, t, `${path}[${i}]`));
    }
    if ('dict' in tag) {
      assert.ok(actual instanceof PyDict, `${path} is a dict`);
      const keys = [...actual.entries.keys()];
      assert.equal(keys.length, tag.dict.length, `${path} size`);
      tag.dict.forEach(([k, v], i) => {
        this.same(keys[i]!, k, `${path} key ${i}`);
        this.same(actual.entries.get(keys[i]!)!, v, `${path}[${String(keys[i])}]`);
      });
      const attributes = tag.attributes ?? [];
      assert.deepEqual([...actual.attributes.keys()], attributes.map(([name]) => name), `${path} attributes`);
      return attributes.forEach(([name, v]) => this.same(actual.attributes.get(name)!, v, `${path}.${name}`));
    }
    return this.tensor(actual, tag.tensor, path);
  }

  private tensor(actual: PyValue, tag: TaggedTensor, path: string): void {
    assert.ok(typeof actual === 'object' && actual !== null && 'kind' in actual && actual.kind === 'tensor', `${path} is a tensor`);
    const t = actual as TorchTensor;
    assert.equal(t.storage.dtype, tag.dtype, `${path} dtype`);
    assert.deepEqual(t.shape, tag.shape, `${path} shape`);
    assert.deepEqual(t.stride, tag.stride, `${path} stride`);
    assert.equal(t.storageOffset, tag.offset, `${path} storage offset`);
    assert.equal(t.requiresGrad, tag.requiresGrad, `${path} requires_grad`);
    assert.equal(t.storage.size, tag.storageSize, `${path} storage size`);
    this.sameStorage(t.storage, tag.storage, path);
    if (tag.float32) {
      const bits = [...new Uint32Array(tensorFloat32(t).buffer)].map((b) => b.toString(16).padStart(8, '0'));
      assert.deepEqual(bits, tag.float32, `${path} values as float32, bit for bit`);
    }
    if (tag.float64) assert.deepEqual(tensorNumbers(t).map(floatHex), tag.float64, `${path} values as float64, bit for bit`);
    if (tag.ints) {
      assert.deepEqual(tensorBigInts(t), tag.ints.map(BigInt), `${path} values`);
      if (tag.ints.length === 1) assert.equal(BigInt(tensorInt(t)), BigInt(tag.ints[0]!), `${path} as one int`);
    }
  }

  /** One storage object per storage of the file: views share it, distinct storages never do. */
  private sameStorage(storage: TorchStorage, index: number, path: string): void {
    const known = this.indexOf.get(storage);
    if (known !== undefined) return assert.equal(known, index, `${path} shares the storage of tensor group ${known}`);
    assert.equal(this.storageAt.has(index), false, `${path} should share storage ${index}, received a storage of its own`);
    this.indexOf.set(storage, index);
    this.storageAt.set(index, storage);
  }
}

function floatHex(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return Buffer.from(view.buffer).toString('hex');
}

describe('files written by torch.save', () => {
  it('the fixture folder holds exactly the files the script lists', () => {
    const onDisk = readdirSync(FIXTURES).filter((f) => f.endsWith('.pt')).sort();
    assert.deepEqual(onDisk, [...Object.keys(expected.files), ...Object.keys(expected.refused)].sort());
    assert.ok(onDisk.length >= 17);
  });

  for (const [name, file] of Object.entries(expected.files)) {
    it(`${name} reads as torch.load gives it (${file.case}, ${file.format}, pickle protocol ${file.protocol})`, () => {
      const result = readTorchFile(fixture(name));
      assert.equal(result.format, file.format);
      new Comparer().same(result.value, expected.cases[file.case]!, file.case);
    });
  }
});

describe('reading a checkpoint, as a caller would', () => {
  const dict = (value: PyValue | undefined): PyDict => {
    assert.ok(value instanceof PyDict);
    return value;
  };
  const tensor = (value: PyValue | undefined): TorchTensor => {
    assert.ok(typeof value === 'object' && value !== null && 'kind' in value);
    return value as TorchTensor;
  };

  it("the reference implementation's checkpoint: class, arguments, epoch, weights and optimizer", () => {
    const checkpoint = dict(readTorchFile(fixture('reference.legacy.pt')).value);
    assert.equal(checkpoint.get('model_class'), 'SimpleNet');
    assert.equal(checkpoint.get('epoch'), 3);
    assert.equal(checkpoint.get('scheduler'), null);
    const args = dict(checkpoint.get('arguments'));
    assert.equal(args.get('N_class'), 10);
    assert.deepEqual(args.get('resolution'), [1, 6, 6]);
    assert.equal(args.get('include_bias'), true);
    assert.equal(args.get('training'), true);
    const kwargs = dict(checkpoint.get('kwargs'));
    assert.equal(kwargs.get('big'), 2n ** 70n);
    assert.deepEqual((kwargs.get('device') as TorchDevice).name, 'cpu');
    const model = dict(checkpoint.get('model'));
    assert.deepEqual(tensor(model.get('conv.weight')).shape, [2, 1, 3, 3]);
    assert.equal(tensorInt(tensor(model.get('bn.num_batches_tracked'))), 2);
    const metadata = dict(model.attributes.get('_metadata'));
    assert.deepEqual(dict(metadata.get('bn')).get('version'), 2);
    const optimizer = dict(checkpoint.get('optimizer'));
    const momentum = tensor(dict(dict(optimizer.get('state')).get(0)).get('momentum_buffer'));
    assert.equal(tensorFloat32(momentum).length, 18);
  });

  it("Adam's step (a float32 tensor in this torch) and BatchNorm's num_batches_tracked read as ints", () => {
    const adam = dict(dict(readTorchFile(fixture('optimizers.zip.pt')).value).get('adam'));
    const state = dict(dict(adam.get('state')).get(0));
    assert.equal(tensorInt(tensor(state.get('step'))), 2);
    const model = dict(readTorchFile(fixture('sequential.zip.pt')).value);
    assert.equal(tensorInt(tensor(model.get('1.num_batches_tracked'))), 2);
  });

  it('materialising refuses what it cannot give exactly, with a coded error', () => {
    const dtypes = dict(readTorchFile(fixture('dtypes.zip.pt')).value);
    const int64 = tensor(dtypes.get('int64'));
    assertCode(() => tensorFloat32(int64), 'E_TORCH_FORMAT', /tensorFloat32 needs a floating-point tensor .* received int64/);
    assertCode(() => tensorNumbers(int64), 'E_TORCH_FORMAT', /element 2 of an int64 tensor is 4611686018427387904, which a number cannot hold exactly; use tensorBigInts/);
    assertCode(() => tensorBigInts(tensor(dtypes.get('float64'))), 'E_TORCH_FORMAT', /tensorBigInts needs an integer or bool tensor, received float64/);
    assertCode(() => tensorInt(tensor(dtypes.get('int8'))), 'E_TORCH_FORMAT', /tensorInt needs a tensor of one element, received shape \[3\]/);
    const views = dict(readTorchFile(fixture('views.zip.pt')).value);
    assertCode(() => tensorInt(tensor(views.get('scalar'))), 'E_TORCH_FORMAT', /tensorInt needs a whole number, received 0.125/);
    const base = tensor(views.get('base'));
    const forged: TorchTensor = { ...base, shape: [4, 4] };
    assertCode(() => tensorFloat32(forged), 'E_TORCH_FORMAT', /reaches past its storage/);
  });

  it('limits can be lowered, and unknown ones are refused', () => {
    assertCode(() => readTorchFile(fixture('reference.zip.pt'), { maxDepth: 2 }), 'E_PICKLE', /opens more than 2 nested MARKs/);
    assertCode(() => readTorchFile(fixture('optimizers.legacy.pt'), { maxStorages: 3 }), 'E_TORCH_FORMAT', /more than 3 storages/);
    assertCode(() => readTorchFile(fixture('views.zip.pt'), { maxRecords: 1 } as never), 'E_INVALID_ARGS', /unknown PyTorch reader limit "maxRecords"/);
  });
});

function assertCode(run: () => unknown, code: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ArchbundleError, `an archbundle error, received ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

