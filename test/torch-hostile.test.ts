/**
 * Hostile PyTorch files: one test per class of bad input, each hand-made (test/helpers/pickle-craft.ts,
 * zip-craft.ts) or a real malicious pickle, each refused with its code and a message that names
 * what was expected and what was received. Then every truncation of real files, and random damage
 * (fast-check): only ever a coded archbundle error or a value, never a crash, never a hang.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ArchbundleError, PyDict, PyTuple, readTorchFile, tensorFloat32, type PyValue, type TorchLimits, type TorchTensor } from '../src/core/index.js';
import { header as tarHeader } from './helpers/tar-craft.js';
import { expected, fixture } from './helpers/torch-files.js';
import { concat, float32Bytes, legacyFile, Pickle, u32, u64 } from './helpers/pickle-craft.js';
import { craftZip, setU16, setU32, torchZip } from './helpers/zip-craft.js';

function refuses(bytes: Uint8Array, code: string, message: RegExp, limits: Partial<TorchLimits> = {}): string {
  let text = '';
  assert.throws(
    () => readTorchFile(bytes, limits),
    (error: unknown) => {
      assert.ok(error instanceof ArchbundleError, `an archbundle error, received ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      text = error.message;
      return true;
    },
  );
  return text;
}

/** `pickle` as a checkpoint's main pickle, once as data.pkl of a zip and once in a legacy stream. */
function bothRefuse(pickle: Uint8Array, code: string, message: RegExp, limits: Partial<TorchLimits> = {}): void {
  const zip = refuses(torchZip(pickle).bytes, code, message, limits);
  const legacy = refuses(legacyFile(pickle, [], []), code, message, limits);
  assert.match(zip, /^archive\/data\.pkl[: ]/);
  assert.match(legacy, /^the legacy checkpoint[: ]/);
}

const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const p = () => Pickle.proto();
const dictOf = (value: PyValue): PyDict => {
  assert.ok(value instanceof PyDict);
  return value;
};

/** {'w': tensor} with a float32 storage '0' of `size` elements. */
function tensorPickle(form: 'zip' | 'legacy', size: number, offset: number, shape: number[], stride: number[], view?: [string, number, number]): Uint8Array {
  return p().emptyDict().str('w').tensor((q) => q.storage('FloatStorage', '0', size, form, view), offset, shape, stride).setitem().stop().done();
}

function zipTensor(size: number, offset: number, shape: number[], stride: number[], data = float32Bytes(Array.from({ length: size }, (_, i) => i + 1))): Uint8Array {
  return torchZip(tensorPickle('zip', size, offset, shape, stride), { '0': data }).bytes;
}

function legacyTensor(size: number, offset: number, shape: number[], stride: number[]): Uint8Array {
  const data = float32Bytes(Array.from({ length: size }, (_, i) => i + 1));
  return legacyFile(tensorPickle('legacy', size, offset, shape, stride), ['0'], [{ count: size, bytes: data }]);
}

const w = (bytes: Uint8Array): TorchTensor => dictOf(readTorchFile(bytes).value).get('w') as TorchTensor;

describe('hand-made files that are valid read (the helpers build what torch builds)', () => {
  it('a tensor in a zip and in a legacy stream', () => {
    assert.deepEqual([...tensorFloat32(w(zipTensor(4, 0, [2, 2], [2, 1])))], [1, 2, 3, 4]);
    assert.deepEqual([...tensorFloat32(w(legacyTensor(4, 0, [2, 2], [1, 2])))], [1, 3, 2, 4]);
  });

  it('zip64 archives and data descriptors', () => {
    const pickle = tensorPickle('zip', 4, 1, [3], [1]);
    for (const options of [{ zip64: true }, { descriptors: true }, { zip64: true, descriptors: true }]) {
      assert.deepEqual([...tensorFloat32(w(torchZip(pickle, { '0': float32Bytes([1, 2, 3, 4]) }, options).bytes))], [2, 3, 4], JSON.stringify(options));
    }
  });

  it('a legacy storage view (from the days of storage views) shares the bytes of its root', () => {
    const main = p()
      .emptyDict()
      .mark()
      .str('view')
      .tensor((q) => q.storage('FloatStorage', '0', 6, 'legacy', ['1', 2, 3]), 0, [3], [1])
      .str('root')
      .tensor((q) => q.storage('FloatStorage', '0', 6, 'legacy'), 0, [6], [1])
      .setitems()
      .stop()
      .done();
    const value = dictOf(readTorchFile(legacyFile(main, ['0'], [{ count: 6, bytes: float32Bytes([1, 2, 3, 4, 5, 6]) }])).value);
    const view = value.get('view') as TorchTensor;
    const root = value.get('root') as TorchTensor;
    assert.deepEqual([...tensorFloat32(view)], [3, 4, 5]);
    assert.equal(view.storage.key, '1');
    assert.equal(view.storage.bytes.buffer, root.storage.bytes.buffer);
    assert.equal(view.storage.bytes.byteOffset, root.storage.bytes.byteOffset + 8);
  });

  it('a stride-0 view within the broadcast cap', () => {
    assert.deepEqual([...tensorFloat32(w(zipTensor(1, 0, [4], [0])))], [1, 1, 1, 1]);
  });
});

describe('files that are no PyTorch checkpoint', () => {
  it('empty, text, a tar, NumPy, an empty zip: E_TORCH_FORMAT saying what was received', () => {
    const expectation = /^not a PyTorch checkpoint: expected a zip archive or the legacy magic number, received /;
    refuses(new Uint8Array(0), 'E_TORCH_FORMAT', /received an empty file/);
    refuses(latin1('hello world'), 'E_TORCH_FORMAT', /received the bytes 68 65 6c 6c 6f 20 77 6f…/);
    refuses(concat([tarHeader({ name: 'arch.json', data: new Uint8Array(3) }), new Uint8Array(1024)]), 'E_TORCH_FORMAT', /a tar archive .*pre-1.0 tar format/);
    refuses(latin1("\x93NUMPY\x01\x00v\x00{'descr'"), 'E_TORCH_FORMAT', /a NumPy \.npy file/);
    refuses(latin1('PK\x05\x06' + '\x00'.repeat(18)), 'E_TORCH_FORMAT', expectation);
  });

  it('a pickle of something other than the magic number: E_TORCH_FORMAT', () => {
    refuses(p().emptyDict().stop().done(), 'E_TORCH_FORMAT', /expected a zip archive or the legacy magic number 0x1950a86a20f9469cfc6c, received a pickle of a dict of 0/);
  });

  it('the first bytes of a zip signature only: E_TRUNCATED', () => {
    refuses(latin1('PK\x03'), 'E_TRUNCATED', /ends after 3 bytes, inside the zip signature/);
  });
});

describe('malicious pickles', () => {
  // pickle.dumps(E()) for class E: def __reduce__(self): return (os.system, ('echo',))
  const reduceToSystem = {
    2: '\x80\x02cposix\nsystem\nq\x00X\x04\x00\x00\x00echoq\x01\x85q\x02Rq\x03.',
    4: '\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x04echo\x94\x85\x94R\x94.',
  };

  it('__reduce__ to os.system (protocols 2 and 4): E_UNSAFE_PICKLE naming posix.system, before any call', () => {
    for (const bytes of Object.values(reduceToSystem)) {
      bothRefuse(latin1(bytes), 'E_UNSAFE_PICKLE', /global "posix\.system" at byte \d+ is not allowed; a PyTorch checkpoint may only name collections\.OrderedDict, /);
    }
  });

  it('the same at protocol 0, which torch.save never writes: refused at the first byte', () => {
    bothRefuse(latin1('cposix\nsystem\np0\n(Vecho\np1\ntp2\nRp3\n.'), 'E_PICKLE', /expected PROTO \(0x80\) at byte \d+, received GLOBAL/);
  });

  it('every global outside the allowlist: E_UNSAFE_PICKLE naming module.name', () => {
    for (const [module, name] of [
      ['os', 'system'],
      ['builtins', 'eval'],
      ['builtins', 'exec'],
      ['__builtin__', 'getattr'],
      ['posix', 'system'],
      ['subprocess', 'Popen'],
      ['numpy.core.multiarray', '_reconstruct'],
      ['torch.nn.modules.linear', 'Linear'],
      ['torch._utils', '_rebuild_qtensor'],
      ['torch', 'load'],
      ['collections', 'OrderedDict.fromkeys'],
    ] as const) {
      const pickle = p().global(module, name).str('x').tuple(1).reduce().stop().done();
      bothRefuse(pickle, 'E_UNSAFE_PICKLE', new RegExp(`global "${`${module}.${name}`.replace(/\./g, '\\.')}" at byte \\d+ is not allowed`));
      const stacked = p().str(module).str(name).stackGlobal().stop().done();
      bothRefuse(stacked, 'E_UNSAFE_PICKLE', /is not allowed/);
    }
  });

  it('a whole nn.Module saved by torch.save (both serialisations): E_UNSAFE_PICKLE naming its class', () => {
    assert.equal(Object.keys(expected.refused).length, 2);
    for (const [name, file] of Object.entries(expected.refused)) {
      refuses(fixture(name), 'E_UNSAFE_PICKLE', new RegExp(`global "${file.global.replace(/\./g, '\\.')}" at byte \\d+ is not allowed`));
    }
  });

  it('object-construction opcodes (INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1/2/4, text PERSID): E_UNSAFE_PICKLE', () => {
    for (const [name, byte] of [['INST', 0x69], ['OBJ', 0x6f], ['NEWOBJ', 0x81], ['NEWOBJ_EX', 0x92], ['EXT1', 0x82], ['EXT2', 0x83], ['EXT4', 0x84], ['PERSID', 0x50]] as const) {
      bothRefuse(p().raw(byte).stop().done(), 'E_UNSAFE_PICKLE', new RegExp(`opcode ${name} at byte \\d+ is refused: it `));
    }
    // The way a pickled class instance is built: NEWOBJ on an allowed class is refused all the same.
    bothRefuse(p().global('collections', 'OrderedDict').emptyTuple().raw(0x81).stop().done(), 'E_UNSAFE_PICKLE', /opcode NEWOBJ at byte \d+ is refused: it constructs an object/);
  });

  it('REDUCE on anything but an allowed callable: E_UNSAFE_PICKLE', () => {
    bothRefuse(p().global('torch', 'FloatStorage').emptyTuple().reduce().stop().done(), 'E_UNSAFE_PICKLE', /opcode REDUCE at byte \d+ calls torch\.FloatStorage, which is not a callable here/);
    bothRefuse(p().str('os.system').emptyTuple().reduce().stop().done(), 'E_UNSAFE_PICKLE', /calls the str "os\.system", which is not a global/);
  });

  it('an allowed global kept as a value, not called: E_UNSAFE_PICKLE', () => {
    bothRefuse(p().emptyDict().str('k').global('collections', 'OrderedDict').setitem().stop().done(), 'E_UNSAFE_PICKLE', /global collections\.OrderedDict is used as a dict value at byte \d+/);
    bothRefuse(p().global('torch._utils', '_rebuild_tensor_v2').stop().done(), 'E_UNSAFE_PICKLE', /is used as the result/);
  });

  it('BUILD on anything but an OrderedDict: E_UNSAFE_PICKLE (it would call __setstate__)', () => {
    bothRefuse(p().emptyDict().emptyDict().build().stop().done(), 'E_UNSAFE_PICKLE', /opcode BUILD at byte \d+ sets the state of a dict of 0; only an OrderedDict's attributes may be set/);
    bothRefuse(p().emptyList().emptyDict().build().stop().done(), 'E_UNSAFE_PICKLE', /sets the state of a list of 0/);
  });

  it('globals in the legacy header pickles, which hold plain values: E_UNSAFE_PICKLE', () => {
    const main = p().none().stop().done();
    const bytes = legacyFile(main, [], []);
    // Replace the protocol-version pickle (PROTO 2, BININT2 1001, STOP) by one that names a global.
    const magicEnd = bytes.indexOf(0x2e) + 1;
    const evil = concat([bytes.subarray(0, magicEnd), p().global('os', 'system').stop().done(), bytes.subarray(magicEnd + 6)]);
    refuses(evil, 'E_UNSAFE_PICKLE', /names the global "os\.system" in a pickle that may hold plain values only/);
  });
});

describe('malformed pickles', () => {
  it('opcodes no checkpoint uses, and bytes that are no opcode: E_PICKLE', () => {
    for (const [name, byte] of [['POP', 0x30], ['DUP', 0x32], ['POP_MARK', 0x31], ['EMPTY_SET', 0x8f], ['FROZENSET', 0x91], ['BINSTRING', 0x54], ['SHORT_BINSTRING', 0x55], ['INT', 0x49], ['BYTEARRAY8', 0x96], ['NEXT_BUFFER', 0x97]] as const) {
      bothRefuse(p().none().raw(byte).stop().done(), 'E_PICKLE', new RegExp(`opcode ${name} at byte \\d+ is refused: `));
    }
    for (const byte of [0x00, 0x99, 0xff, 0x20]) bothRefuse(p().raw(byte).stop().done(), 'E_PICKLE', /at byte \d+ is not a pickle opcode/);
  });

  it('protocol: none, too old, too new, declared twice', () => {
    bothRefuse(Pickle.proto(1).none().stop().done(), 'E_PICKLE', /opcode PROTO at byte \d+ declares pickle protocol 1; expected 2 to 5/);
    bothRefuse(Pickle.proto(6).none().stop().done(), 'E_PICKLE', /declares pickle protocol 6; expected 2 to 5/);
    bothRefuse(p().raw(0x80, 2).none().stop().done(), 'E_PICKLE', /opcode PROTO at byte \d+ is not the first opcode/);
    bothRefuse(new Pickle().none().stop().done(), 'E_PICKLE', /expected PROTO \(0x80\) at byte \d+, received NONE/);
  });

  it('stack underflow, and values taken from below a MARK', () => {
    bothRefuse(p().append().stop().done(), 'E_PICKLE', /opcode APPEND at byte \d+ needs 1 value on the stack, found 0/);
    bothRefuse(p().none().reduce().stop().done(), 'E_PICKLE', /opcode REDUCE at byte \d+ needs 2 values on the stack, found 1/);
    bothRefuse(p().none().mark().none().tuple(2).stop().done(), 'E_PICKLE', /opcode TUPLE2 at byte \d+ needs 2 values on the stack above the MARK, found 1/);
    bothRefuse(p().emptyDict().setitems().stop().done(), 'E_PICKLE', /opcode SETITEMS at byte \d+ needs a MARK, found none/);
    bothRefuse(p().mark().memoize().stop().done(), 'E_PICKLE', /opcode MEMOIZE at byte \d+ needs a value on the stack above the MARK, found none/);
    bothRefuse(p().emptyDict().mark().str('a').setitems().stop().done(), 'E_PICKLE', /has 1 values after the MARK; expected key, value pairs/);
    bothRefuse(p().emptyDict().none().append().stop().done(), 'E_PICKLE', /opcode APPEND at byte \d+ appends to a dict of 0; expected a list/);
    bothRefuse(p().emptyList().str('k').none().setitem().stop().done(), 'E_PICKLE', /opcode SETITEM at byte \d+ sets items of a list of 0; expected a dict/);
  });

  it('STOP with other than one value, or with a MARK open', () => {
    bothRefuse(p().none().none().stop().done(), 'E_PICKLE', /opcode STOP at byte \d+ ends the pickle with 2 values on the stack; expected exactly 1/);
    bothRefuse(p().stop().done(), 'E_PICKLE', /ends the pickle with 0 values on the stack/);
    bothRefuse(p().none().mark().stop().done(), 'E_PICKLE', /ends the pickle with 1 MARK still open/);
  });

  it('memo abuse: reading an entry never written, writing one beyond the cap', () => {
    bothRefuse(p().get(5).stop().done(), 'E_PICKLE', /opcode BINGET at byte \d+ reads memo entry 5, which was never written/);
    bothRefuse(p().get(4_000_000_000).stop().done(), 'E_PICKLE', /opcode LONG_BINGET at byte \d+ reads memo entry 4000000000, which was never written/);
    bothRefuse(p().none().put(0xffffffff).stop().done(), 'E_PICKLE', /opcode LONG_BINPUT at byte \d+ writes memo entry 4294967295; the cap is 4000000 entries/);
    bothRefuse(p().none().put(3).stop().done(), 'E_PICKLE', /writes memo entry 3; the cap is 2 entries/, { maxMemoEntries: 2 });
  });

  it('deep nesting: more than 200 MARKs, or values nested more than 200 deep at a constant stack', () => {
    const marks = p();
    for (let i = 0; i < 201; i++) marks.mark();
    bothRefuse(marks.stop().done(), 'E_PICKLE', /opcode MARK at byte \d+ opens more than 200 nested MARKs/);
    const tuples = p().none();
    for (let i = 0; i < 300; i++) tuples.tuple(1);
    bothRefuse(tuples.stop().done(), 'E_PICKLE', /values nest deeper than 200 levels at byte \d+/);
    const lists = p().emptyList().put(0);
    for (let i = 0; i < 300; i++) lists.emptyList().get(0).append().put(0);
    bothRefuse(lists.stop().done(), 'E_PICKLE', /values nest deeper than 200 levels/);
  });

  it('shared references doubling at every level (a billion-laughs DAG): refused early, quickly', () => {
    const laughs = p().emptyList();
    for (let i = 0; i < 64; i++) laughs.put(0).get(0).tuple(2);
    const started = performance.now();
    bothRefuse(laughs.stop().done(), 'E_PICKLE', /a walk of the value built at byte \d+ would visit more than 20000000 values/);
    assert.ok(performance.now() - started < 1000);
  });

  it('cycles: a list placed in itself, or a list changed after it was placed in another', () => {
    bothRefuse(p().emptyList().put(0).get(0).append().stop().done(), 'E_PICKLE', /a list of 0 is placed inside itself at byte \d+; cycles are refused/);
    const mutual = p().emptyList().put(0).emptyList().put(1).get(0).append().get(0).get(1).append().stop().done();
    bothRefuse(mutual, 'E_PICKLE', /opcode APPEND at byte \d+ changes a list of 0 that is already inside another object/);
  });

  it('dict keys: set twice, or of a type no state dict uses', () => {
    bothRefuse(p().emptyDict().mark().str('a').none().str('a').none().setitems().stop().done(), 'E_PICKLE', /sets the dict key the str "a" a second time/);
    bothRefuse(p().emptyDict().emptyTuple().none().setitem().stop().done(), 'E_PICKLE', /uses a tuple of 0 as a dict key; expected a str, int or float/);
  });

  it('strings: not UTF-8, or longer than the cap', () => {
    bothRefuse(p().raw(0x8c, 2, 0xc3, 0x28).stop().done(), 'E_PICKLE', /opcode SHORT_BINUNICODE at byte \d+ holds a string that is not valid UTF-8/);
    // (the legacy stream's sys_info pickle already has longer strings)
    bothRefuse(p().str('hello').stop().done(), 'E_PICKLE', /holds a string of \d+ bytes; the cap is 4/, { maxStringBytes: 4 });
  });

  it('length fields far beyond the input: E_TRUNCATED before anything is allocated', () => {
    bothRefuse(p().raw(0x58, ...u32(0xffffffff)).done(), 'E_TRUNCATED', /ends inside a BINUNICODE string at byte \d+: expected 4294967295 bytes, \d+ left/);
    bothRefuse(p().raw(0x8d, ...u64(2n ** 62n), 0x41).done(), 'E_TRUNCATED', /ends inside a BINUNICODE8 string at byte \d+: expected 4611686018427387904 bytes, \d+ left/);
    bothRefuse(p().raw(0x8e, ...u64(2n ** 40n)).done(), 'E_TRUNCATED', /ends inside a BINBYTES8 value/);
    bothRefuse(p().raw(0x8b, ...u32(0x7fffffff)).done(), 'E_TRUNCATED', /ends inside a LONG4 integer/);
    bothRefuse(p().raw(0x8b, ...u32(0xfffffff0)).stop().done(), 'E_PICKLE', /opcode LONG4 at byte \d+ has a negative length -16/);
    bothRefuse(p().raw(0x8b, ...u32(2000), new Uint8Array(2000)).stop().done(), 'E_PICKLE', /holds an integer of 2000 bytes; the cap is 1024/);
    bothRefuse(p().raw(0x95, ...u64(2n ** 50n)).done(), 'E_TRUNCATED', /ends inside a frame/);
    bothRefuse(p().raw(0x63, ...new TextEncoder().encode('os')).done(), 'E_TRUNCATED', /ends inside GLOBAL's module/);
    bothRefuse(p().raw(0x63, ...new Uint8Array(300).fill(0x61)).done(), 'E_PICKLE', /opcode GLOBAL at byte \d+ has a GLOBAL's module longer than 256 bytes/);
  });

  it('frames: an opcode running past its frame, a frame inside a frame', () => {
    bothRefuse(Pickle.proto(4).frame(3).str('abc').stop().done(), 'E_PICKLE', /opcode BINUNICODE at byte \d+ runs past the end of its frame at byte \d+/);
    bothRefuse(Pickle.proto(4).frame(11).frame(2).none().stop().done(), 'E_PICKLE', /opcode FRAME at byte \d+ starts a frame before the current one ends/);
  });

  it('STACK_GLOBAL of values that are no names', () => {
    bothRefuse(p().int(1).str('system').stackGlobal().stop().done(), 'E_PICKLE', /opcode STACK_GLOBAL at byte \d+ needs a module and a name \(two str\), received the number 1 and the str "system"/);
  });

  it('caps on the pickle size and on the stack', () => {
    refuses(fixture('sequential.zip.pt'), 'E_PICKLE', /archive\/data\.pkl: the pickle at byte 0 is longer than the cap of 100 bytes/, { maxPickleBytes: 100 });
    const many = p().mark();
    for (let i = 0; i < 10; i++) many.none();
    bothRefuse(many.list().stop().done(), 'E_PICKLE', /would hold more than 5 values on the stack/, { maxStackItems: 5 });
  });

  it('one call repeated on memoized arguments (200,000 times) costs almost nothing and gives one shared value', () => {
    // The first call, with its callable and arguments memoized: (first, [the same call again × 200,000])
    const q = p().global('torch._utils', '_rebuild_tensor_v2').put(0).mark();
    q.storage('FloatStorage', '0', 4, 'zip').int(0).intTuple([4]).intTuple([1]).bool(false).global('collections', 'OrderedDict').emptyTuple().reduce();
    q.tuple().put(1).reduce().mark();
    for (let i = 0; i < 200_000; i++) q.get(0).get(1).reduce();
    const pickle = q.list().tuple(2).stop().done();
    const started = performance.now();
    const value = readTorchFile(torchZip(pickle, { '0': float32Bytes([1, 2, 3, 4]) }).bytes).value;
    assert.ok(performance.now() - started < 2000);
    assert.ok(value instanceof PyTuple);
    const [first, list] = value.items as [TorchTensor, TorchTensor[]];
    assert.equal(list.length, 200_000);
    assert.ok(list.every((t) => t === first));
  });

  it('a BUILD that sets one OrderedDict twice: E_PICKLE', () => {
    const twice = p().global('collections', 'OrderedDict').emptyTuple().reduce().emptyDict().build().emptyDict().build().stop().done();
    bothRefuse(twice, 'E_PICKLE', /opcode BUILD at byte \d+ sets the attributes of one OrderedDict twice/);
  });
});

describe('persistent ids, storages and tensors', () => {
  const zipWith = (pickle: Uint8Array, storages: Record<string, Uint8Array> = { '0': float32Bytes([1, 2, 3, 4]) }) => torchZip(pickle, storages).bytes;

  it('persistent ids of unknown form: E_TORCH_FORMAT saying which form is expected', () => {
    const form = /; expected \('storage', storage type, key, location, size\)$/;
    refuses(zipWith(p().str('0').persid().stop().done()), 'E_TORCH_FORMAT', /archive\/data\.pkl: persistent id at byte \d+ is the str "0"/);
    refuses(zipWith(p().mark().str('module').none().none().none().tuple().persid().stop().done()), 'E_TORCH_FORMAT', /starts with the str "module"/);
    refuses(zipWith(p().mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').tuple().persid().stop().done()), 'E_TORCH_FORMAT', /has 4 items/);
    refuses(zipWith(p().mark().str('storage').global('collections', 'OrderedDict').str('0').str('cpu').int(4).tuple().persid().stop().done()), 'E_TORCH_FORMAT', /names the global collections\.OrderedDict as its storage type/);
    refuses(zipWith(p().mark().str('storage').global('torch', 'FloatStorage').str('../0').str('cpu').int(4).tuple().persid().stop().done()), 'E_TORCH_FORMAT', /has the str "\.\.\/0" as its key/);
    const negative = refuses(zipWith(p().mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(-4).tuple().persid().stop().done()), 'E_TORCH_FORMAT', /has the number -4 as its size/);
    assert.match(negative, form);
    refuses(legacyFile(p().mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(4).str('view').tuple().persid().stop().done(), [], []), 'E_TORCH_FORMAT', /has the str "view" as its view \(expected None or \(view key, offset, size\)\)/);
  });

  it('storage types PyTorch has but a checkpoint reader does not support: E_TORCH_FORMAT listing the supported ones', () => {
    for (const type of ['ComplexFloatStorage', 'QInt8Storage', 'UntypedStorage']) {
      const pickle = p().emptyDict().str('w').tensor((q) => q.storage(type, '0', 4, 'zip'), 0, [4], [1]).setitem().stop().done();
      refuses(zipWith(pickle), 'E_TORCH_FORMAT', new RegExp(`storage type torch\\.${type} at byte \\d+ is not supported; expected one of torch\\.DoubleStorage, torch\\.FloatStorage, `));
    }
  });

  it('a persistent id in a pickle that holds no storages: E_PICKLE', () => {
    const bytes = legacyFile(p().none().stop().done(), [], []);
    const magicEnd = bytes.indexOf(0x2e) + 1;
    const evil = concat([bytes.subarray(0, magicEnd), p().str('0').persid().stop().done(), bytes.subarray(magicEnd + 6)]);
    refuses(evil, 'E_PICKLE', /opcode BINPERSID at byte \d+ references a persistent object, which this pickle may not hold/);
  });

  it('tensors reaching outside their storage: E_TORCH_FORMAT naming the view and the storage', () => {
    refuses(zipTensor(4, 0, [5], [1]), 'E_TORCH_FORMAT', /_rebuild_tensor_v2 at byte \d+ reaches element 4 with the view of shape \[5\], strides \[1\] at offset 0, but storage 0 holds 4 elements of float32/);
    refuses(zipTensor(4, 4, [1], [1]), 'E_TORCH_FORMAT', /reaches element 4 with the view of shape \[1\], strides \[1\] at offset 4/);
    refuses(zipTensor(4, 5, [0], [1]), 'E_TORCH_FORMAT', /starts the view of shape \[0\], strides \[1\] at offset 5 past the end of storage 0 \(4 elements\)/);
    refuses(zipTensor(4, 0, [2, 2], [2 ** 52, 1]), 'E_TORCH_FORMAT', /reaches element 4503599627370497 with the view/);
    refuses(zipTensor(4, 0, [2, 2], [2 ** 53 - 1, 2 ** 53 - 1]), 'E_TORCH_FORMAT', /reaches element 18014398509481982/);
    refuses(legacyTensor(4, 0, [5], [1]), 'E_TORCH_FORMAT', /the legacy checkpoint: torch\._utils\._rebuild_tensor_v2 at byte \d+ reaches element 4/);
  });

  it('negative sizes and strides, mismatched ranks, too many dimensions', () => {
    refuses(zipTensor(4, 0, [2], [-1]), 'E_TORCH_FORMAT', /has the number -1 at stride\[0\]; expected an int ≥ 0/);
    refuses(zipTensor(4, 0, [-2], [1]), 'E_TORCH_FORMAT', /has the number -2 at size\[0\]; expected an int ≥ 0/);
    refuses(zipTensor(4, 0, [2, 2], [1]), 'E_TORCH_FORMAT', /has 2 sizes but 1 strides/);
    refuses(zipTensor(4, 0, [1, 1, 1], [1, 1, 1]), 'E_TORCH_FORMAT', /has 3 dimensions; the cap is 2/, { maxRank: 2 });
  });

  it('a stride-0 view larger than the broadcast cap: refused before anything is materialised', () => {
    refuses(zipTensor(1, 0, [2 ** 20, 2 ** 20], [0, 0]), 'E_TORCH_FORMAT', /1099511627776 elements out of a storage of 1, above the cap of 16777216 for views larger than their storage/);
  });

  it('other arguments of _rebuild_tensor_v2 and _rebuild_parameter', () => {
    const call = (args: (q: Pickle) => void, fn = '_rebuild_tensor_v2') => {
      const q = p().global('torch._utils', fn).mark();
      args(q);
      return zipWith(q.tuple().reduce().stop().done());
    };
    const storage = (q: Pickle) => q.storage('FloatStorage', '0', 4, 'zip');
    const hooks = (q: Pickle) => q.global('collections', 'OrderedDict').emptyTuple().reduce();
    refuses(call((q) => storage(q).int(0)), 'E_TORCH_FORMAT', /has 2 arguments; expected 6 \(storage, offset, size, stride, requires_grad, backward_hooks\) or 7/);
    refuses(call((q) => q.str('0').int(0).intTuple([4]).intTuple([1]).bool(false).emptyDict()), 'E_TORCH_FORMAT', /has the str "0" as its storage; expected a storage from a persistent id/);
    refuses(call((q) => storage(q).int(0).intTuple([4]).intTuple([1]).int(1).emptyDict()), 'E_TORCH_FORMAT', /has the number 1 as requires_grad; expected True or False/);
    refuses(call((q) => storage(q).int(0).intTuple([4]).intTuple([1]).bool(false).emptyDict().mark().str('k').int(1).setitems()), 'E_TORCH_FORMAT', /as backward_hooks; expected an empty OrderedDict/);
    refuses(call((q) => storage(q).int(0).intTuple([4]).intTuple([1]).bool(false).emptyDict().emptyDict().mark().str('conj').bool(true).setitems()), 'E_TORCH_FORMAT', /has metadata conj=True; conjugate and negative views are not supported/);
    refuses(call((q) => storage(q).int(0).emptyList().intTuple([1]).bool(false).emptyDict()), 'E_TORCH_FORMAT', /has a list of 0 as its size; expected a tuple of ints/);
    refuses(call((q) => q.str('x').bool(true).emptyDict(), '_rebuild_parameter'), 'E_TORCH_FORMAT', /_rebuild_parameter at byte \d+ has the str "x" as its data; expected a tensor/);
    // A parameter that is well-formed reads as its tensor with requires_grad.
    const parameter = p().global('torch._utils', '_rebuild_parameter').mark().tensor(storage, 0, [4], [1]).bool(true);
    hooks(parameter);
    const value = readTorchFile(zipWith(parameter.tuple().reduce().stop().done())).value as TorchTensor;
    assert.equal(value.requiresGrad, true);
  });

  it('other callables with arguments they never get from torch: E_TORCH_FORMAT', () => {
    const calling = (fn: [string, string], args: (q: Pickle) => void) => {
      const q = p().global(...fn).mark();
      args(q);
      return zipWith(q.tuple().reduce().stop().done());
    };
    refuses(calling(['collections', 'OrderedDict'], (q) => q.emptyList()), 'E_TORCH_FORMAT', /collections\.OrderedDict at byte \d+ is called with 1 arguments; expected none/);
    refuses(calling(['collections', 'Counter'], (q) => q.str('ab')), 'E_TORCH_FORMAT', /collections\.Counter at byte \d+ is called with the str "ab"; expected one dict/);
    refuses(calling(['torch', 'device'], (q) => q.str('cuda; rm -rf')), 'E_TORCH_FORMAT', /torch\.device at byte \d+ is called with the str "cuda; rm -rf"; expected a device type/);
    refuses(calling(['_codecs', 'encode'], (q) => q.str('abc').str('rot13')), 'E_TORCH_FORMAT', /_codecs\.encode at byte \d+ is called with the str "abc", the str "rot13"; expected a str and 'latin1'/);
    refuses(calling(['_codecs', 'encode'], (q) => q.str('€').str('latin1')), 'E_TORCH_FORMAT', /is given a str with the character U\+20ac at 0, which latin1 cannot encode/);
  });

  it('a storage on its own, outside a tensor: E_TORCH_FORMAT', () => {
    refuses(zipWith(p().emptyDict().str('s').storage('FloatStorage', '0', 4, 'zip').setitem().stop().done()), 'E_TORCH_FORMAT', /storage 0 is used as a dict value at byte \d+; expected a tensor/);
  });

  it('zip: a storage record whose size differs from what the pickle declares', () => {
    refuses(zipTensor(4, 0, [4], [1], float32Bytes([1, 2, 3])), 'E_TORCH_FORMAT', /record archive\/data\/0 holds 12 bytes; archive\/data\.pkl declares 4 elements of float32 \(16 bytes\) at byte \d+/);
  });

  it('zip: one storage key with two types or sizes', () => {
    const pickle = p()
      .mark()
      .tensor((q) => q.storage('FloatStorage', '0', 4, 'zip'), 0, [4], [1])
      .tensor((q) => q.storage('IntStorage', '0', 4, 'zip'), 0, [4], [1])
      .tuple()
      .stop()
      .done();
    refuses(zipWith(pickle), 'E_TORCH_FORMAT', /references storage 0 as 4 elements of int32 at byte \d+ of archive\/data\.pkl, but earlier as 4 of float32/);
  });

  it('zip: a storage record missing, or one that nothing references', () => {
    refuses(zipWith(tensorPickle('zip', 4, 0, [4], [1]), {}), 'E_TORCH_FORMAT', /has no record archive\/data\/0 for the storage archive\/data\.pkl references at byte \d+/);
    refuses(zipWith(tensorPickle('zip', 4, 0, [4], [1]), { '0': float32Bytes([1, 2, 3, 4]), '7': new Uint8Array(4) }), 'E_TORCH_FORMAT', /record archive\/data\/7 is not referenced by archive\/data\.pkl/);
  });

  it('legacy: element counts, missing, repeated, unreferenced and truncated storages, trailing bytes', () => {
    const main = tensorPickle('legacy', 4, 0, [4], [1]);
    const data = float32Bytes([1, 2, 3, 4]);
    refuses(legacyFile(main, ['0'], [{ count: 3, bytes: data }]), 'E_TORCH_FORMAT', /gives storage 0 3 elements at byte \d+; the pickle declares 4 elements of float32/);
    refuses(legacyFile(main, ['0'], [{ count: 4, bytes: data.subarray(0, 10) }]), 'E_TRUNCATED', /the legacy checkpoint ends inside the 16 bytes of storage 0 at byte \d+: expected 16 bytes, 10 left/);
    refuses(legacyFile(main, ['0', '0'], [{ count: 4, bytes: data }, { count: 4, bytes: data }]), 'E_TORCH_FORMAT', /lists storage 0 twice/);
    refuses(legacyFile(main, ['0', '9'], [{ count: 4, bytes: data }]), 'E_TORCH_FORMAT', /lists storage "9", which the pickle never references/);
    refuses(legacyFile(main, [], []), 'E_TORCH_FORMAT', /references storage 0, but its list of storage keys leaves it out: its bytes are missing/);
    refuses(concat([legacyFile(main, ['0'], [{ count: 4, bytes: data }]), new Uint8Array(3)]), 'E_TORCH_FORMAT', /has 3 bytes after its last storage/);
    refuses(legacyFile(main, ['0'], [{ count: 4, bytes: data }], { keysPickle: p().str('0').stop().done() }), 'E_TORCH_FORMAT', /has the str "0" where the list of storage keys belongs; expected a list of str/);
  });

  it('legacy: views past their root, and one key for a storage and a view', () => {
    const past = tensorPickle('legacy', 6, 0, [1], [1], ['1', 4, 3]);
    refuses(legacyFile(past, ['0'], [{ count: 6, bytes: new Uint8Array(24) }]), 'E_TORCH_FORMAT', /has a view 1 of elements 4 to 7 at byte \d+, past the end of storage 0 \(6 elements\)/);
    const clash = tensorPickle('legacy', 6, 0, [1], [1], ['0', 0, 3]);
    refuses(legacyFile(clash, ['0'], [{ count: 6, bytes: new Uint8Array(24) }]), 'E_TORCH_FORMAT', /uses the key 0 at byte \d+ both for a storage and for a view/);
  });

  it('legacy: a big-endian writer, another protocol version, a sys_info that is no dict', () => {
    const main = p().none().stop().done();
    refuses(legacyFile(main, [], [], { littleEndian: false }), 'E_TORCH_FORMAT', /was written on a big-endian machine \(sys_info little_endian is False\)/);
    refuses(legacyFile(main, [], [], { protocolVersion: 1000 }), 'E_TORCH_FORMAT', /declares protocol version the number 1000; expected 1001/);
  });
});

describe('zip containers', () => {
  const valid = () => torchZip(tensorPickle('zip', 4, 0, [4], [1]), { '0': float32Bytes([1, 2, 3, 4]) });

  it('compressed records: E_TORCH_FORMAT naming the method', () => {
    const z = valid();
    const bytes = setU16(setU16(z.bytes, z.local[0]! + 8, 8), z.central[0]! + 10, 8);
    refuses(bytes, 'E_TORCH_FORMAT', /zip archive record "archive\/data\.pkl" is compressed \(method 8, deflate\); expected stored records \(method 0\)/);
  });

  it('encrypted records', () => {
    const z = valid();
    refuses(setU16(z.bytes, z.central[1]! + 8, 0x0801), 'E_TORCH_FORMAT', /record "archive\/data\/0" is encrypted/);
  });

  it('a record whose data fails its CRC-32', () => {
    const z = valid();
    const bytes = Uint8Array.from(z.bytes);
    bytes[z.local[1]! + 30 + 'archive/data/0'.length]! ^= 1; // the first byte of the storage's data
    refuses(bytes, 'E_TORCH_FORMAT', /record "archive\/data\/0" fails its CRC-32 check: the directory says 0x[0-9a-f]{8}, the data gives 0x[0-9a-f]{8}/);
  });

  it('a local header that disagrees with the central directory', () => {
    const z = valid();
    refuses(setU32(z.bytes, z.local[0]! + 14, 0x12345678), 'E_TORCH_FORMAT', /record "archive\/data\.pkl" has a local header \(CRC-32 0x12345678, \d+ bytes\) that disagrees with the central directory/);
    const renamed = Uint8Array.from(z.bytes);
    renamed[z.local[0]! + 30] = 0x41;
    refuses(renamed, 'E_TORCH_FORMAT', /record "archive\/data\.pkl" is named "Archive\/data\.pkl" in its local header/);
  });

  it('a data descriptor that does not match', () => {
    const z = torchZip(tensorPickle('zip', 4, 0, [4], [1]), { '0': float32Bytes([1, 2, 3, 4]) }, { descriptors: true });
    const bytes = Uint8Array.from(z.bytes);
    bytes[z.local[1]! - 5]! ^= 1; // the descriptor's size field, just before the next local header
    refuses(bytes, 'E_TORCH_FORMAT', /record "archive\/data\.pkl" has no data descriptor matching the central directory/);
  });

  it('overlapping records: a second directory entry pointing inside the first record', () => {
    const inner = craftZip([{ name: 'archive/version', data: new TextEncoder().encode('3\n') }]).bytes;
    const innerRecord = inner.subarray(0, inner.indexOf(0x50, 30 + 'archive/version'.length + 2));
    const outer = torchZip(concat([p().none().stop().done(), innerRecord]), {});
    // Point the version record's directory entry at the copy of a local header inside data.pkl.
    const insideDataPkl = outer.local[0]! + 30 + 'archive/data.pkl'.length + 4;
    refuses(setU32(outer.bytes, outer.central[1]! + 42, insideDataPkl), 'E_TORCH_FORMAT', /records "archive\/data\.pkl" \(offsets 0 to \d+\) and "archive\/version" \(from \d+\) overlap/);
  });

  it('record names that could mean another path: .., absolute, backslash, control characters, folders, not UTF-8', () => {
    for (const [name, why] of [
      ['archive/../etc/passwd', /has an empty, "\." or "\.\." part/],
      ['/archive/x', /is absolute/],
      ['archive\\x', /contains a backslash/],
      ['archive/x\u0001', /contains a control character/],
      ['archive/dir/', /names a folder/],
    ] as const) {
      const z = torchZip(p().none().stop().done(), {}, { extra: [{ name, data: new Uint8Array(0) }] });
      refuses(z.bytes, 'E_TORCH_FORMAT', why);
    }
    const z = torchZip(p().none().stop().done(), {}, { extra: [{ name: 'archive/xé', data: new Uint8Array(0) }] });
    const bytes = Uint8Array.from(z.bytes);
    for (const at of [z.local[2]! + 30, z.central[2]! + 46]) bytes[at + 'archive/x'.length] = 0xff;
    refuses(bytes, 'E_TORCH_FORMAT', /has a record name that is not UTF-8/);
  });

  it('duplicate record names', () => {
    const z = torchZip(p().none().stop().done(), {}, { extra: [{ name: 'archive/version', data: new TextEncoder().encode('3\n') }] });
    refuses(z.bytes, 'E_TORCH_FORMAT', /holds the record "archive\/version" twice/);
  });

  it('offsets out of range: a local header past the records, a directory that does not end at the end record, too many records', () => {
    const z = valid();
    refuses(setU32(z.bytes, z.central[0]! + 42, z.end + 100), 'E_TORCH_FORMAT', /record "archive\/data\.pkl" has its local header at offset \d+, outside the records/);
    refuses(setU32(z.bytes, z.end + 16, z.central[0]! - 1), 'E_TORCH_FORMAT', /central directory at offset \d+ of \d+ bytes should end where the end record begins/);
    refuses(setU16(setU16(z.bytes, z.end + 10, 1000), z.end + 8, 1000), 'E_TORCH_FORMAT', /claims 1000 records in a central directory of \d+ bytes/);
    refuses(z.bytes, 'E_TORCH_FORMAT', /holds 3 records; the cap is 2/, { maxZipRecords: 2 });
  });

  it('several disks', () => {
    const z = valid();
    refuses(setU16(z.bytes, z.end + 4, 1), 'E_TORCH_FORMAT', /spans several disks \(disk 1, directory on disk 0\); expected a single file/);
  });

  it('no end of central directory record: E_TRUNCATED', () => {
    const z = valid();
    refuses(z.bytes.subarray(0, z.end + 10), 'E_TRUNCATED', /zip archive of \d+ bytes has no end of central directory record .* it is truncated/);
  });

  it('zip64: end records that disagree, a locator pointing nowhere', () => {
    const z = torchZip(tensorPickle('zip', 4, 0, [4], [1]), { '0': float32Bytes([1, 2, 3, 4]) }, { zip64: true });
    refuses(setU16(z.bytes, z.end + 10, 2), 'E_TORCH_FORMAT', /end record disagrees with its zip64 end record/);
    refuses(setU32(z.bytes, z.end - 20 + 8, 3), 'E_TORCH_FORMAT', /zip64 locator points to offset 3, where no zip64 end record is/);
  });

  it("torch's layout: a folder for every record, data.pkl, a known version, little-endian, no TorchScript", () => {
    const pickle = p().none().stop().done();
    const version = { name: 'archive/version', data: new TextEncoder().encode('3\n') };
    refuses(craftZip([{ name: 'data.pkl', data: pickle }]).bytes, 'E_TORCH_FORMAT', /record "data\.pkl" is not in a folder/);
    refuses(craftZip([{ name: 'archive/data.pkl', data: pickle }, version, { name: 'other/x', data: pickle }]).bytes, 'E_TORCH_FORMAT', /record "other\/x" is outside the archive folder archive\//);
    refuses(craftZip([version]).bytes, 'E_TORCH_FORMAT', /has no record archive\/data\.pkl/);
    refuses(craftZip([{ name: 'archive/data.pkl', data: pickle }]).bytes, 'E_TORCH_FORMAT', /has no record archive\/version/);
    refuses(craftZip([{ name: 'archive/data.pkl', data: pickle }, { name: 'archive/version', data: new TextEncoder().encode('99\n') }]).bytes, 'E_TORCH_FORMAT', /record archive\/version holds "99\\n"; expected a file format version from 1 to 10/);
    refuses(torchZip(pickle, {}, { extra: [{ name: 'archive/byteorder', data: new TextEncoder().encode('big') }] }).bytes, 'E_TORCH_FORMAT', /was written on a big-endian machine/);
    refuses(torchZip(pickle, {}, { extra: [{ name: 'archive/byteorder', data: new TextEncoder().encode('middle') }] }).bytes, 'E_TORCH_FORMAT', /record archive\/byteorder holds "middle"; expected "little"/);
    refuses(torchZip(pickle, {}, { extra: [{ name: 'archive/constants.pkl', data: pickle }] }).bytes, 'E_TORCH_FORMAT', /is a TorchScript archive/);
    refuses(torchZip(concat([pickle, new Uint8Array(2)])).bytes, 'E_TORCH_FORMAT', /record archive\/data\.pkl has 2 bytes after the pickle's STOP/);
    const fine = readTorchFile(torchZip(pickle, {}, { extra: [{ name: 'archive/byteorder', data: new TextEncoder().encode('little') }, { name: 'archive/.data/serialization_id', data: new Uint8Array(4) }] }).bytes);
    assert.equal(fine.value, null);
  });
});

describe('every truncation of real files', () => {
  for (const name of ['schedulers.zip.pt', 'schedulers.legacy.pt', 'views.legacy.pt', 'sequential.zip64.pt']) {
    it(`${name}: every prefix is E_TRUNCATED (the empty one is no checkpoint)`, () => {
      const bytes = fixture(name);
      const codes = new Map<string, number>();
      for (let n = 0; n < bytes.length; n++) {
        let code = 'ok';
        try {
          readTorchFile(bytes.subarray(0, n));
        } catch (error) {
          assert.ok(error instanceof ArchbundleError, `prefix of ${n} bytes: an archbundle error, received ${String(error)}`);
          code = error.code;
        }
        codes.set(code, (codes.get(code) ?? 0) + 1);
        assert.equal(code, n === 0 ? 'E_TORCH_FORMAT' : 'E_TRUNCATED', `prefix of ${n} bytes`);
      }
      assert.equal(codes.get('E_TRUNCATED'), bytes.length - 1);
    });
  }
});

describe('random damage (fast-check)', () => {
  const KNOWN = new Set(['E_TRUNCATED', 'E_PICKLE', 'E_UNSAFE_PICKLE', 'E_TORCH_FORMAT']);

  /** Reads `bytes`; 'ok' or the error code. Anything but a coded archbundle error, or a slow read, fails. */
  function outcome(bytes: Uint8Array): string {
    const started = performance.now();
    try {
      readTorchFile(bytes);
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof ArchbundleError, `only archbundle errors, received ${error instanceof Error ? error.stack : String(error)}`);
      assert.ok(KNOWN.has(error.code), error.code);
      return error.code;
    } finally {
      assert.ok(performance.now() - started < 500, 'one read takes well under a second');
    }
  }

  for (const name of ['sequential.zip.pt', 'sequential.legacy.pt', 'reference.zip-p4.pt', 'reference.legacy.pt']) {
    it(`${name}: flipped, overwritten and deleted bytes give a coded error or a value`, () => {
      const valid = fixture(name);
      const codes = new Set<string>();
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.constantFrom('xor', 'set', 'delete')), { minLength: 1, maxLength: 4 }),
          (edits) => {
            let bytes: Uint8Array = Uint8Array.from(valid);
            for (const [at, value, kind] of edits) {
              const i = at % bytes.length;
              if (kind === 'xor') bytes[i]! ^= value;
              else if (kind === 'set') bytes[i] = value;
              else bytes = concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
            }
            codes.add(outcome(bytes));
          },
        ),
        { numRuns: 300, seed: 20240611 },
      );
      assert.ok(codes.size >= 3, `the damage reached several checks: ${[...codes].join(', ')}`);
    });
  }

  it('random opcode sequences as a main pickle: a coded error or a value, linear time', () => {
    const pieces: fc.Arbitrary<number[]>[] = [
      fc.constantFrom(...[0x28, 0x2e, 0x4e, 0x88, 0x89, 0x5d, 0x7d, 0x29, 0x6c, 0x74, 0x64, 0x61, 0x65, 0x73, 0x75, 0x85, 0x86, 0x87, 0x52, 0x62, 0x51, 0x93, 0x94, 0x30, 0x81].map((b) => [b])),
      fc.integer({ min: 0, max: 255 }).map((n) => [0x4b, n]),
      fc.integer({ min: 0, max: 8 }).map((n) => [0x68, n]),
      fc.integer({ min: 0, max: 8 }).map((n) => [0x71, n]),
      fc.constantFrom('storage', 'cpu', '0', 'collections', 'OrderedDict', 'torch', 'FloatStorage', 'os', 'system').map((s) => [0x8c, s.length, ...new TextEncoder().encode(s)]),
      fc.constantFrom(['torch._utils', '_rebuild_tensor_v2'], ['collections', 'OrderedDict'], ['torch', 'FloatStorage'], ['builtins', 'eval']).map(([m, n]) => [...new TextEncoder().encode(`c${m}\n${n}\n`)]),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
    ];
    const codes = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.oneof(...pieces), { maxLength: 60 }), (ops) => {
        const main = Uint8Array.from([0x80, 4, ...ops.flat(), 0x2e]);
        codes.add(outcome(legacyFile(main, [], [])));
        codes.add(outcome(torchZip(main, { '0': new Uint8Array(16) }).bytes));
      }),
      { numRuns: 1500, seed: 7 },
    );
    assert.ok(codes.has('E_PICKLE') && codes.has('E_UNSAFE_PICKLE'), [...codes].join(', '));
  });
});
