/**
 * Hand-made pickles and PyTorch legacy files for bad-input tests: opcodes written byte by byte
 * (Python's opcode values), so tests can build streams no pickler would write.
 */

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

export class Pickle {
  private readonly out: number[] = [];

  /** A pickle that starts with PROTO `protocol`. */
  static proto(protocol = 2): Pickle {
    return new Pickle().raw(0x80, protocol);
  }

  raw(...bytes: (number | Uint8Array | number[])[]): this {
    for (const b of bytes) {
      if (typeof b === 'number') this.out.push(b);
      else this.out.push(...b);
    }
    return this;
  }

  mark = () => this.raw(0x28);
  stop = () => this.raw(0x2e);
  none = () => this.raw(0x4e);
  bool = (value: boolean) => this.raw(value ? 0x88 : 0x89);
  emptyList = () => this.raw(0x5d);
  emptyDict = () => this.raw(0x7d);
  emptyTuple = () => this.raw(0x29);
  list = () => this.raw(0x6c);
  dict = () => this.raw(0x64);
  append = () => this.raw(0x61);
  appends = () => this.raw(0x65);
  setitem = () => this.raw(0x73);
  setitems = () => this.raw(0x75);
  reduce = () => this.raw(0x52);
  build = () => this.raw(0x62);
  persid = () => this.raw(0x51);
  memoize = () => this.raw(0x94);
  stackGlobal = () => this.raw(0x93);
  put = (index: number) => (index < 256 ? this.raw(0x71, index) : this.raw(0x72, ...u32(index)));
  get = (index: number) => (index < 256 ? this.raw(0x68, index) : this.raw(0x6a, ...u32(index)));
  frame = (length: number) => this.raw(0x95, ...u64(length));

  /** TUPLE1..3 for 1 to 3 items, else TUPLE (which needs a MARK before the items). */
  tuple(n?: number): this {
    if (n === 1) return this.raw(0x85);
    if (n === 2) return this.raw(0x86);
    if (n === 3) return this.raw(0x87);
    return this.raw(0x74);
  }

  int(value: number | bigint): this {
    const n = BigInt(value);
    if (n >= 0n && n < 256n) return this.raw(0x4b, Number(n));
    if (n >= 0n && n < 65536n) return this.raw(0x4d, Number(n) & 0xff, Number(n) >> 8);
    if (n >= -(2n ** 31n) && n < 2n ** 31n) return this.raw(0x4a, ...u32(Number(BigInt.asUintN(32, n))));
    const bytes: number[] = [];
    let rest = n;
    while (rest !== 0n && rest !== -1n) {
      bytes.push(Number(rest & 0xffn));
      rest >>= 8n;
    }
    const negative = n < 0n;
    if (bytes.length === 0 || ((bytes[bytes.length - 1]! & 0x80) !== 0) !== negative) bytes.push(negative ? 0xff : 0);
    return this.raw(0x8a, bytes.length, ...bytes);
  }

  float(value: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, false);
    return this.raw(0x47, new Uint8Array(view.buffer));
  }

  str(text: string): this {
    const bytes = new TextEncoder().encode(text);
    return this.raw(0x58, ...u32(bytes.length), bytes);
  }

  bytes(data: Uint8Array): this {
    return this.raw(0x42, ...u32(data.length), data);
  }

  /** GLOBAL, the text form torch.save's protocol 2 pickles use. */
  global(module: string, name: string): this {
    return this.raw(new TextEncoder().encode(`c${module}\n${name}\n`));
  }

  /** ('storage', torch.<type>, key, 'cpu', size) for the zip format, plus a view (or None) for the legacy one, then BINPERSID. */
  storage(type: string, key: string, size: number, form: 'zip' | 'legacy', view?: [string, number, number]): this {
    this.mark().str('storage').global('torch', type).str(key).str('cpu').int(size);
    if (form === 'legacy') {
      if (view) this.str(view[0]).int(view[1]).int(view[2]).tuple(3);
      else this.none();
    }
    return this.tuple().persid();
  }

  /** _rebuild_tensor_v2(<storage written by `storage`>, offset, shape, stride, requires_grad, OrderedDict()). */
  tensor(storage: (p: this) => void, offset: number, shape: number[], stride: number[], requiresGrad = false): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    storage(this);
    this.int(offset).intTuple(shape).intTuple(stride).bool(requiresGrad);
    this.global('collections', 'OrderedDict').emptyTuple().reduce();
    return this.tuple().reduce();
  }

  intTuple(values: number[]): this {
    this.mark();
    for (const v of values) this.int(v);
    return this.tuple();
  }

  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** A legacy torch.save stream: magic, protocol version, sys_info, `main`, the keys list, then each storage's count and bytes. */
export function legacyFile(
  main: Uint8Array,
  keys: string[],
  storages: { count: number; bytes: Uint8Array }[],
  options: { littleEndian?: boolean; protocolVersion?: number; keysPickle?: Uint8Array } = {},
): Uint8Array {
  const keysPickle = Pickle.proto().emptyList().mark();
  for (const key of keys) keysPickle.str(key);
  const parts = [
    Pickle.proto().int(LEGACY_MAGIC).stop().done(),
    Pickle.proto().int(options.protocolVersion ?? 1001).stop().done(),
    sysInfo(options.littleEndian ?? true),
    main,
    options.keysPickle ?? keysPickle.appends().stop().done(),
    ...storages.flatMap((s) => [Uint8Array.from(u64(s.count)), s.bytes]),
  ];
  return concat(parts);
}

function sysInfo(littleEndian: boolean): Uint8Array {
  return Pickle.proto()
    .emptyDict()
    .mark()
    .str('protocol_version')
    .int(1001)
    .str('little_endian')
    .bool(littleEndian)
    .str('type_sizes')
    .emptyDict()
    .mark()
    .str('short')
    .int(2)
    .str('int')
    .int(4)
    .str('long')
    .int(4)
    .setitems()
    .setitems()
    .stop()
    .done();
}

export function float32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

export function u64(n: number | bigint): number[] {
  const big = BigInt(n);
  return [...u32(Number(big & 0xffffffffn)), ...u32(Number((big >> 32n) & 0xffffffffn))];
}
