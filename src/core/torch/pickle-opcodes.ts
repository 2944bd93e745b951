/**
 * Every opcode of pickle protocols 0 to 5, by byte, sorted into what the restricted unpickler
 * does with it: runs it (the opcodes torch.save's pickles use), refuses it as unsafe (it builds
 * objects of a named class or runs code), or refuses it as unsupported (harmless, but no PyTorch
 * checkpoint needs it). A byte that is no opcode at all is refused as unknown.
 */

export type OpcodeKind = 'run' | 'unsafe' | 'unsupported';

export interface Opcode {
  readonly name: string;
  readonly kind: OpcodeKind;
  /** For refused opcodes: why, in a few words. */
  readonly why?: string;
}

const RUN = 'run';

/** Opcodes the unpickler runs, by name → byte. */
export const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  NONE: 0x4e, // N
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  BINUNICODE: 0x58, // X
  BINBYTES: 0x42, // B
  SHORT_BINBYTES: 0x43, // C
  EMPTY_LIST: 0x5d, // ]
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c
  DICT: 0x64, // d
  EMPTY_DICT: 0x7d, // }
  APPENDS: 0x65, // e
  BINGET: 0x68, // h
  LONG_BINGET: 0x6a, // j
  LIST: 0x6c, // l
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  EMPTY_TUPLE: 0x29, // )
  SETITEMS: 0x75, // u
  BINFLOAT: 0x47, // G
  PROTO: 0x80,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
} as const;

const CONSTRUCTS = 'it constructs an object of a class named in the stream';

const REFUSED: Record<number, Opcode> = {
  0x69: { name: 'INST', kind: 'unsafe', why: CONSTRUCTS },
  0x6f: { name: 'OBJ', kind: 'unsafe', why: CONSTRUCTS },
  0x81: { name: 'NEWOBJ', kind: 'unsafe', why: CONSTRUCTS },
  0x92: { name: 'NEWOBJ_EX', kind: 'unsafe', why: CONSTRUCTS },
  0x82: { name: 'EXT1', kind: 'unsafe', why: 'it loads a global from the copyreg extension registry' },
  0x83: { name: 'EXT2', kind: 'unsafe', why: 'it loads a global from the copyreg extension registry' },
  0x84: { name: 'EXT4', kind: 'unsafe', why: 'it loads a global from the copyreg extension registry' },
  0x50: { name: 'PERSID', kind: 'unsafe', why: 'it hands a text persistent id to the loader; torch.save writes BINPERSID' },
  0x30: { name: 'POP', kind: 'unsupported', why: 'torch.save never writes it' },
  0x31: { name: 'POP_MARK', kind: 'unsupported', why: 'torch.save never writes it' },
  0x32: { name: 'DUP', kind: 'unsupported', why: 'torch.save never writes it' },
  0x46: { name: 'FLOAT', kind: 'unsupported', why: 'a protocol 0 text float; torch.save writes protocol 2 or later' },
  0x49: { name: 'INT', kind: 'unsupported', why: 'a protocol 0 text integer; torch.save writes protocol 2 or later' },
  0x4c: { name: 'LONG', kind: 'unsupported', why: 'a protocol 0 text integer; torch.save writes protocol 2 or later' },
  0x53: { name: 'STRING', kind: 'unsupported', why: 'a protocol 0 Python 2 string' },
  0x54: { name: 'BINSTRING', kind: 'unsupported', why: 'a Python 2 string' },
  0x55: { name: 'SHORT_BINSTRING', kind: 'unsupported', why: 'a Python 2 string' },
  0x56: { name: 'UNICODE', kind: 'unsupported', why: 'a protocol 0 text string; torch.save writes protocol 2 or later' },
  0x67: { name: 'GET', kind: 'unsupported', why: 'a protocol 0 text memo read; torch.save writes protocol 2 or later' },
  0x70: { name: 'PUT', kind: 'unsupported', why: 'a protocol 0 text memo write; torch.save writes protocol 2 or later' },
  0x8f: { name: 'EMPTY_SET', kind: 'unsupported', why: 'no state dict holds a set' },
  0x90: { name: 'ADDITEMS', kind: 'unsupported', why: 'no state dict holds a set' },
  0x91: { name: 'FROZENSET', kind: 'unsupported', why: 'no state dict holds a set' },
  0x96: { name: 'BYTEARRAY8', kind: 'unsupported', why: 'no state dict holds a bytearray' },
  0x97: { name: 'NEXT_BUFFER', kind: 'unsupported', why: 'out-of-band buffers are not part of a file' },
  0x98: { name: 'READONLY_BUFFER', kind: 'unsupported', why: 'out-of-band buffers are not part of a file' },
};

const TABLE = new Map<number, Opcode>();
for (const [name, byte] of Object.entries(OP)) TABLE.set(byte, { name, kind: RUN });
for (const [byte, op] of Object.entries(REFUSED)) TABLE.set(Number(byte), op);

/** The opcode a byte stands for, or undefined when it is none. */
export function opcodeOf(byte: number): Opcode | undefined {
  return TABLE.get(byte);
}

export function opcodeName(byte: number): string {
  return TABLE.get(byte)?.name ?? `0x${byte.toString(16).padStart(2, '0')}`;
}
