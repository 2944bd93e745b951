/**
 * The restricted unpickler: a pickle stack machine (protocols 2 to 5) that runs only the opcodes
 * torch.save's pickles use, names only allowlisted globals (pickle-globals.ts) and calls them as
 * data constructors (pickle-calls.ts). It reads one pickle, from PROTO to STOP, and says where it
 * ended, since the legacy format puts several pickles and raw bytes one after another.
 *
 * Hostile input: every length is checked before it is sliced (byte-cursor.ts); the stack, the
 * memo, MARK nesting, value depth and value size are capped; each opcode does constant work or
 * work proportional to the values it consumes, so the whole run is linear in the stream.
 */
import { ForeignFormatError } from '../errors.js';
import { ByteCursor } from './byte-cursor.js';
import type { TorchLimits } from './limits.js';
import { callAllowed, type CallContext } from './pickle-calls.js';
import { resolveGlobal } from './pickle-globals.js';
import { asValue, describe, isValue, ItemTuple, PyGlobal, tupleOf, type Item } from './pickle-items.js';
import { OP, opcodeName, opcodeOf } from './pickle-opcodes.js';
import { ValueGraph, type Container } from './value-graph.js';
import { PyBytes, PyDict, PyTuple, type PyKey, type PyValue } from './values.js';

export interface PickleOptions {
  /** The stream, for messages: "archive/data.pkl", "the legacy checkpoint". */
  stream: string;
  limits: TorchLimits;
  /** Whether the stream may name globals at all; only a checkpoint's main pickle may. */
  globals: boolean;
  /** Turns a persistent id into what it stands for (a storage); absent: BINPERSID is refused. */
  persistentLoad?: (pid: Item, at: number) => Item;
}

export interface Unpickled {
  value: PyValue;
  /** Offset just after the STOP opcode. */
  end: number;
}

/** Longest integer LONG1/LONG4 may give, in bytes; checkpoint ints are 64-bit, Python's can be any size. */
const MAX_LONG_BYTES = 1024;
/** Longest GLOBAL line (module or name). */
const MAX_GLOBAL_LINE = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one pickle from `bytes[start..end)`: the value it builds and the offset after its STOP. */
export function unpickle(bytes: Uint8Array, start: number, end: number, options: PickleOptions): Unpickled {
  // The cap bounds the bytes this pickle may use; in the legacy format, storages follow it.
  const capped = end - start > options.limits.maxPickleBytes;
  const cursor = new ByteCursor(bytes, options.stream, start, capped ? start + options.limits.maxPickleBytes : end);
  try {
    return new Machine(cursor, options).run();
  } catch (error) {
    if (capped && error instanceof ForeignFormatError && error.code === 'E_TRUNCATED') {
      throw new ForeignFormatError('E_PICKLE', `${options.stream}: the pickle at byte ${start} is longer than the cap of ${options.limits.maxPickleBytes} bytes`);
    }
    throw error;
  }
}

class Machine {
  private readonly stack: Item[] = [];
  /** Stack lengths at each open MARK. */
  private readonly marks: number[] = [];
  /** Indices are dense in every pickler's output, so an array; the index cap bounds a sparse one. */
  private readonly memo: Item[] = [];
  private memoCount = 0;
  private readonly graph: ValueGraph;
  private readonly calls: CallContext;
  /** Dicts already given attributes by BUILD, and dicts already used as BUILD state: each at most once. */
  private readonly built = new Set<PyDict>();
  private readonly usedStates = new Set<PyDict>();
  private frameEnd: number | undefined;
  private at = 0;
  private op = '';

  constructor(
    private readonly cursor: ByteCursor,
    private readonly options: PickleOptions,
  ) {
    this.graph = new ValueGraph(options.limits, options.stream);
    this.calls = { limits: options.limits, stream: options.stream, at: 0, instances: new Set(), encoded: new Map(), results: new Map(), geometry: new Map() };
  }

  run(): Unpickled {
    this.protocolHeader();
    for (;;) {
      this.at = this.cursor.position;
      if (this.frameEnd === this.at) this.frameEnd = undefined;
      const byte = this.cursor.u8('an opcode');
      this.op = opcodeName(byte);
      const done = this.step(byte);
      if (this.frameEnd !== undefined && this.cursor.position > this.frameEnd) {
        this.fail('E_PICKLE', `runs past the end of its frame at byte ${this.frameEnd}`);
      }
      if (done) return { value: done.value, end: this.cursor.position };
    }
  }

  private protocolHeader(): void {
    this.at = this.cursor.position;
    const byte = this.cursor.u8('the PROTO opcode');
    if (byte !== OP.PROTO) {
      throw new ForeignFormatError(
        'E_PICKLE',
        `${this.options.stream}: expected PROTO (0x80) at byte ${this.at}, received ${opcodeName(byte)}: torch.save writes pickle protocol 2 or later`,
      );
    }
    this.op = 'PROTO';
    const version = this.cursor.u8('the pickle protocol version');
    if (version < 2 || version > 5) this.fail('E_PICKLE', `declares pickle protocol ${version}; expected 2 to 5`);
  }

  /** Runs one opcode; returns the result at STOP. */
  private step(byte: number): { value: PyValue } | undefined {
    const c = this.cursor;
    switch (byte) {
      case OP.PROTO:
        return this.fail('E_PICKLE', 'is not the first opcode of the pickle');
      case OP.FRAME: {
        if (this.frameEnd !== undefined) this.fail('E_PICKLE', `starts a frame before the current one ends at byte ${this.frameEnd}`);
        const length = c.u64('the frame length');
        if (length > c.remaining) c.take(length, 'a frame');
        this.frameEnd = c.position + Number(length);
        return;
      }
      case OP.STOP:
        return { value: this.stop() };
      case OP.MARK:
        if (this.marks.length >= this.options.limits.maxDepth) this.fail('E_PICKLE', `opens more than ${this.options.limits.maxDepth} nested MARKs`);
        this.marks.push(this.stack.length);
        return;

      case OP.NONE:
        return this.push(null);
      case OP.NEWTRUE:
        return this.push(true);
      case OP.NEWFALSE:
        return this.push(false);
      case OP.BININT:
        return this.push(c.i32('a BININT'));
      case OP.BININT1:
        return this.push(c.u8('a BININT1'));
      case OP.BININT2:
        return this.push(c.u16('a BININT2'));
      case OP.LONG1:
        return this.push(this.long(c.u8("LONG1's length")));
      case OP.LONG4:
        return this.push(this.long(c.i32("LONG4's length")));
      case OP.BINFLOAT:
        return this.push(c.f64be('a BINFLOAT'));
      case OP.SHORT_BINUNICODE:
        return this.push(this.text(c.u8("SHORT_BINUNICODE's length")));
      case OP.BINUNICODE:
        return this.push(this.text(c.u32("BINUNICODE's length")));
      case OP.BINUNICODE8:
        return this.push(this.text(c.u64("BINUNICODE8's length")));
      case OP.SHORT_BINBYTES:
        return this.push(this.binary(c.u8("SHORT_BINBYTES's length")));
      case OP.BINBYTES:
        return this.push(this.binary(c.u32("BINBYTES's length")));
      case OP.BINBYTES8:
        return this.push(this.binary(c.u64("BINBYTES8's length")));

      case OP.EMPTY_LIST:
        return this.push(this.created([], []));
      case OP.EMPTY_DICT:
        return this.push(this.created(new PyDict(), []));
      case OP.EMPTY_TUPLE:
        return this.push(this.created(tupleOf([]), []));
      case OP.LIST: {
        const items = this.popMark();
        return this.push(this.created(items.map((item) => this.value(item, 'a list item')), items));
      }
      case OP.TUPLE:
        return this.pushTuple(this.popMark());
      case OP.TUPLE1:
        return this.pushTuple(this.popN(1));
      case OP.TUPLE2:
        return this.pushTuple(this.popN(2));
      case OP.TUPLE3:
        return this.pushTuple(this.popN(3));
      case OP.DICT: {
        const dict = this.created(new PyDict(), []);
        this.setItems(dict, this.popMark());
        return this.push(dict);
      }
      case OP.APPEND:
        return this.append([this.pop()]);
      case OP.APPENDS:
        return this.append(this.popMark());
      case OP.SETITEM: {
        const pair = this.popN(2);
        return this.setItems(this.targetDict(), pair);
      }
      case OP.SETITEMS: {
        const items = this.popMark();
        return this.setItems(this.targetDict(), items);
      }

      case OP.BINPUT:
        return this.put(c.u8("BINPUT's index"));
      case OP.LONG_BINPUT:
        return this.put(c.u32("LONG_BINPUT's index"));
      case OP.MEMOIZE:
        return this.put(this.memoCount);
      case OP.BINGET:
        return this.get(c.u8("BINGET's index"));
      case OP.LONG_BINGET:
        return this.get(c.u32("LONG_BINGET's index"));

      case OP.GLOBAL: {
        const module = this.line("GLOBAL's module");
        const name = this.line("GLOBAL's name");
        return this.push(this.global(module, name));
      }
      case OP.STACK_GLOBAL: {
        const [module, name] = this.popN(2);
        if (typeof module !== 'string' || typeof name !== 'string') {
          return this.fail('E_PICKLE', `needs a module and a name (two str), received ${describe(module!)} and ${describe(name!)}`);
        }
        return this.push(this.global(module, name));
      }
      case OP.REDUCE:
        return this.reduce();
      case OP.BUILD:
        return this.build();
      case OP.BINPERSID: {
        const pid = this.pop();
        if (!this.options.persistentLoad) return this.fail('E_PICKLE', 'references a persistent object, which this pickle may not hold');
        this.graph.seal(pid);
        return this.push(this.options.persistentLoad(pid, this.at));
      }
    }
    const opcode = opcodeOf(byte);
    if (!opcode) return this.fail('E_PICKLE', 'is not a pickle opcode');
    return this.fail(opcode.kind === 'unsafe' ? 'E_UNSAFE_PICKLE' : 'E_PICKLE', `is refused: ${opcode.why ?? 'it is not supported'}`);
  }

  // --- the stack --------------------------------------------------------------------------------

  private push(item: Item): undefined {
    if (this.stack.length >= this.options.limits.maxStackItems) this.fail('E_PICKLE', `would hold more than ${this.options.limits.maxStackItems} values on the stack`);
    this.stack.push(item);
    return undefined;
  }

  /** Values above the innermost MARK are this frame's; those below belong to an enclosing one. */
  private get base(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
  }

  private popN(n: number): Item[] {
    const available = this.stack.length - this.base;
    if (available < n) this.fail('E_PICKLE', `needs ${n} value${n === 1 ? '' : 's'} on the stack${this.marks.length ? ' above the MARK' : ''}, found ${available}`);
    return this.stack.splice(this.stack.length - n, n);
  }

  private pop(): Item {
    return this.popN(1)[0]!;
  }

  private top(): Item {
    if (this.stack.length <= this.base) this.fail('E_PICKLE', `needs a value on the stack${this.marks.length ? ' above the MARK' : ''}, found none`);
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): Item[] {
    const mark = this.marks.pop();
    if (mark === undefined) return this.fail('E_PICKLE', 'needs a MARK, found none');
    return this.stack.splice(mark);
  }

  // --- values -----------------------------------------------------------------------------------

  private created<T extends Container>(container: T, children: Item[]): T {
    this.graph.created(container, children, this.at);
    return container;
  }

  private value(item: Item, where: string): PyValue {
    return asValue(item, where, this.options.stream, this.at);
  }

  private pushTuple(items: Item[]): undefined {
    return this.push(this.created(tupleOf(items), items));
  }

  private long(length: number): number | bigint {
    if (length < 0) this.fail('E_PICKLE', `has a negative length ${length}`);
    const bytes = this.cursor.take(length, `a ${this.op} integer`);
    if (length > MAX_LONG_BYTES) this.fail('E_PICKLE', `holds an integer of ${length} bytes; the cap is ${MAX_LONG_BYTES}`);
    if (length === 0) return 0;
    let hex = '';
    for (let i = length - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
    let value = BigInt(`0x${hex}`);
    if (bytes[length - 1]! & 0x80) value -= 1n << BigInt(8 * length); // two's complement
    return pyInt(value);
  }

  private text(length: number | bigint): string {
    const bytes = this.cursor.take(length, `a ${this.op} string`);
    if (length > this.options.limits.maxStringBytes) this.fail('E_PICKLE', `holds a string of ${length} bytes; the cap is ${this.options.limits.maxStringBytes}`);
    if (bytes.length <= 64 && bytes.every((b) => b < 0x80)) return String.fromCharCode(...bytes); // keys and names: ASCII, short
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('E_PICKLE', 'holds a string that is not valid UTF-8');
    }
  }

  private binary(length: number | bigint): PyBytes {
    const bytes = this.cursor.take(length, `a ${this.op} value`);
    if (length > this.options.limits.maxStringBytes) this.fail('E_PICKLE', `holds bytes of length ${length}; the cap is ${this.options.limits.maxStringBytes}`);
    return new PyBytes(bytes.slice());
  }

  /** One newline-terminated line of a GLOBAL, looked for only within a short distance. */
  private line(field: string): string {
    const c = this.cursor;
    const window = c.bytes.subarray(c.position, Math.min(c.end, c.position + MAX_GLOBAL_LINE + 1));
    const newline = window.indexOf(0x0a);
    if (newline === -1) {
      if (window.length <= MAX_GLOBAL_LINE) c.take(window.length + 1, field);
      this.fail('E_PICKLE', `has a ${field} longer than ${MAX_GLOBAL_LINE} bytes`);
    }
    const bytes = c.take(newline + 1, field).subarray(0, newline);
    try {
      return utf8.decode(bytes);
    } catch {
      return this.fail('E_PICKLE', `has a ${field} that is not valid UTF-8`);
    }
  }

  private global(module: string, name: string): PyGlobal {
    if (!this.options.globals) {
      this.fail('E_UNSAFE_PICKLE', `names the global ${JSON.stringify(`${module.slice(0, 80)}.${name.slice(0, 80)}`)} in a pickle that may hold plain values only`);
    }
    // Python 2 pickles spell builtins "__builtin__"; the name is shown as written, and refused like any other.
    return resolveGlobal(module, name, this.options.stream, this.at);
  }

  // --- containers -------------------------------------------------------------------------------

  private append(items: Item[]): undefined {
    const list = this.top();
    if (!Array.isArray(list)) return this.fail('E_PICKLE', `appends to ${describe(list)}; expected a list`);
    for (const item of items) {
      const value = this.value(item, 'a list item');
      this.graph.adopt(list, value, this.op, this.at);
      list.push(value);
    }
    return undefined;
  }

  private targetDict(): PyDict {
    const dict = this.top();
    if (!(dict instanceof PyDict)) return this.fail('E_PICKLE', `sets items of ${describe(dict)}; expected a dict`);
    return dict;
  }

  private setItems(dict: PyDict, items: Item[]): undefined {
    if (items.length % 2 !== 0) this.fail('E_PICKLE', `has ${items.length} values after the MARK; expected key, value pairs`);
    for (let i = 0; i < items.length; i += 2) {
      const key = this.key(items[i]!);
      const value = this.value(items[i + 1]!, 'a dict value');
      if (dict.entries.has(key)) this.fail('E_PICKLE', `sets the dict key ${describe(key)} a second time`);
      this.graph.adopt(dict, value, this.op, this.at);
      dict.entries.set(key, value);
    }
    return undefined;
  }

  /** Keys as a state dict has them: str (parameter names), int (optimizer parameter ids), float. */
  private key(item: Item): PyKey {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'bigint') return item;
    return this.fail('E_PICKLE', `uses ${describe(item)} as a dict key; expected a str, int or float`);
  }

  // --- the memo ---------------------------------------------------------------------------------

  private put(index: number): undefined {
    if (index >= this.options.limits.maxMemoEntries) this.fail('E_PICKLE', `writes memo entry ${index}; the cap is ${this.options.limits.maxMemoEntries} entries`);
    const item = this.top();
    if (this.memo[index] === undefined) this.memoCount++;
    this.memo[index] = item;
    return undefined;
  }

  private get(index: number): undefined {
    const item = this.memo[index];
    if (item === undefined) return this.fail('E_PICKLE', `reads memo entry ${index}, which was never written`);
    return this.push(item);
  }

  // --- calls --------------------------------------------------------------------------------------

  private reduce(): undefined {
    const [callable, args] = this.popN(2);
    if (!(callable instanceof PyGlobal) || callable.role.kind !== 'callable') {
      const what = callable instanceof PyGlobal ? `${callable.qualifiedName}, which is not a callable here` : `${describe(callable!)}, which is not a global`;
      return this.fail('E_UNSAFE_PICKLE', `calls ${what}; only allowed globals may be called`);
    }
    if (!(args instanceof PyTuple || args instanceof ItemTuple)) {
      return this.fail('E_PICKLE', `calls ${callable.qualifiedName} with ${describe(args!)}; expected a tuple of arguments`);
    }
    this.graph.seal(args);
    this.calls.at = this.at;
    return this.push(callAllowed(callable.role.name, args, this.calls));
  }

  /**
   * BUILD sets instance attributes; the only instances a checkpoint holds that have any are
   * OrderedDicts (a state dict's `_metadata`). Once per dict, each state used once: no repeated copying.
   */
  private build(): undefined {
    const state = this.pop();
    const target = this.top();
    if (!(target instanceof PyDict) || !this.calls.instances.has(target)) {
      return this.fail('E_UNSAFE_PICKLE', `sets the state of ${describe(target)}; only an OrderedDict's attributes may be set`);
    }
    if (state === null) return;
    if (!(state instanceof PyDict)) return this.fail('E_PICKLE', `gives an OrderedDict the state ${describe(state)}; expected a dict of attributes`);
    if (this.built.has(target) || this.usedStates.has(state)) this.fail('E_PICKLE', 'sets the attributes of one OrderedDict twice, or from a dict used before');
    this.built.add(target);
    this.usedStates.add(state);
    this.graph.adopt(target, state, this.op, this.at);
    for (const [key, value] of state.entries) {
      if (typeof key !== 'string') return this.fail('E_PICKLE', `gives an OrderedDict the attribute ${describe(key)}; expected a str name`);
      target.attributes.set(key, value);
    }
    return undefined;
  }

  private stop(): PyValue {
    if (this.marks.length > 0) this.fail('E_PICKLE', `ends the pickle with ${this.marks.length} MARK${this.marks.length === 1 ? '' : 's'} still open`);
    if (this.stack.length !== 1) this.fail('E_PICKLE', `ends the pickle with ${this.stack.length} values on the stack; expected exactly 1`);
    const item = this.stack[0]!;
    if (!isValue(item)) return this.value(item, 'the result');
    return item;
  }

  private fail(code: 'E_PICKLE' | 'E_UNSAFE_PICKLE', what: string): never {
    throw new ForeignFormatError(code, `${this.options.stream}: opcode ${this.op} at byte ${this.at} ${what}`);
  }
}

/** A Python int as the values module keeps it: a number when it is a safe integer, else a bigint. */
function pyInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
