/**
 * Mutations of a JSON document that keep it JSON, so the edits pass the strict parser and
 * reach what comes after it: schemas, versions, architecture arguments and migrations, tensor
 * tables, safetensors headers. A value somewhere in the tree is replaced by a boundary value or
 * another type, removed, duplicated, or given a sibling; a few edits work on the text instead,
 * to make what JSON.stringify never writes (duplicate keys, deep nesting, forbidden keys).
 */
import type { Rng } from './rng.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NUMBERS = [0, -0, 1, -1, 2, 3, 0.5, -0.5, 7, 8, 255, 256, 1024, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324];
const STRINGS = ['', 'x', '0', 'F32', 'F16', 'BF16', 'I64', 'U8', 'BOOL', 'float32', 'int32', 'MLP', 'ResNet', 'SimpleNet', 'relu', 'bn', 'gn', 'none', '../x', '\u0000', '\ud800', 'é', 'x'.repeat(5000)];
const KEYS = ['__proto__', 'constructor', 'prototype', '__metadata__', 'extra', '', 'args', 'class', 'shape', 'dtype', 'data_offsets', 'byteOffset', 'formatVersion'];

/** Every value of the tree with the way to replace or remove it. */
interface Slot {
  value: Json;
  set(value: Json): void;
  remove(): void;
  /** For arrays and objects: where a sibling may be added. */
  container?: Json[] | { [key: string]: Json };
}

function slots(root: { value: Json }): Slot[] {
  const out: Slot[] = [];
  const visit = (value: Json, set: (v: Json) => void, remove: () => void) => {
    out.push({ value, set, remove, container: typeof value === 'object' && value !== null ? value : undefined });
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, (v) => void (value[i] = v), () => void value.splice(i, 1)));
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) visit(value[key]!, (v) => void (value[key] = v), () => void delete value[key]);
    }
  };
  visit(root.value, (v) => void (root.value = v), () => void (root.value = null));
  return out;
}

function boundaryValue(rng: Rng, like: Json): Json {
  switch (rng.int(6)) {
    case 0: return rng.pick(NUMBERS);
    case 1: return rng.pick(STRINGS);
    case 2: return rng.pick([null, true, false]);
    case 3: return rng.pick([[], {}, [0], [1, 1], [2 ** 31, 2 ** 31], Array(70).fill(1)]);
    case 4: return typeof like === 'number' ? rng.pick([like + 1, like - 1, like * 2, -like, like + 0.5, like * 2 ** 20]) : rng.pick(NUMBERS);
    default: return Array.isArray(like) ? [...like, ...like] : typeof like === 'string' ? like + like.slice(0, 1 + rng.int(4)) : [like];
  }
}

/** One edit of the document's tree, or of its text; text that is no JSON, or JSON nested too deep to walk, gets a text edit. */
export function mutateJson(text: string, rng: Rng): string {
  try {
    return treeEdit(text, rng);
  } catch {
    // JSON.parse fails on text that is no JSON; JSON.stringify, structuredClone and the walk
    // run out of stack on documents an earlier text edit nested thousands deep.
    return textEdit(text, rng);
  }
}

function treeEdit(text: string, rng: Rng): string {
  const root: { value: Json } = { value: JSON.parse(text) as Json };
  if (rng.chance(0.15)) return textEdit(text, rng);
  const all = slots(root);
  const slot = rng.pick(all);
  switch (rng.int(5)) {
    case 0:
    case 1:
      slot.set(boundaryValue(rng, slot.value));
      break;
    case 2:
      slot.remove();
      break;
    case 3: { // a sibling: a copy of another value, under a known or hostile key
      const container = slot.container ?? root.value;
      const copy = structuredClone(rng.pick(all).value);
      if (Array.isArray(container)) container.splice(rng.int(container.length + 1), 0, copy);
      // defineProperty, so that "__proto__" becomes an own key JSON.stringify writes, not the prototype
      else if (container && typeof container === 'object') Object.defineProperty(container, rng.pick([...KEYS, ...Object.keys(container)]), { value: copy, enumerable: true, writable: true, configurable: true });
      break;
    }
    default: { // swap two values of the tree (shapes with offsets, one tensor's entry with another's)
      const other = rng.pick(all);
      const a = structuredClone(slot.value);
      slot.set(structuredClone(other.value));
      other.set(a);
    }
  }
  const compact = JSON.stringify(root.value);
  if (rng.chance(0.5)) return compact;
  // Indentation grows with depth; a document nested thousands deep would grow quadratically.
  const pretty = JSON.stringify(root.value, null, rng.pick([1, 2, '\t']));
  return pretty.length <= 2 * compact.length + 4096 ? pretty : compact;
}

/** What JSON.stringify cannot write: a key given twice, nesting past any depth cap, a forbidden key, a torn document. */
function textEdit(text: string, rng: Rng): string {
  const brace = text.indexOf('{', rng.int(Math.max(1, text.length)));
  const at = brace === -1 ? text.indexOf('{') : brace;
  switch (rng.int(4)) {
    case 0: { // the first key after a brace, repeated
      const key = /^\s*("(?:[^"\\]|\\.)*")\s*:/.exec(text.slice(at + 1));
      return key && at !== -1 ? `${text.slice(0, at + 1)}${key[1]}: 0, ${text.slice(at + 1)}` : text;
    }
    case 1: {
      const depth = rng.pick([64, 65, 100, 200, 1000, 5000]);
      return at === -1 ? '['.repeat(depth) + ']'.repeat(depth) : `${text.slice(0, at + 1)}"deep": ${'['.repeat(depth)}${']'.repeat(depth)}, ${text.slice(at + 1)}`;
    }
    case 2:
      return at === -1 ? text : `${text.slice(0, at + 1)}"${rng.pick(KEYS)}": {"polluted": 1}, ${text.slice(at + 1)}`;
    default:
      return text.slice(0, rng.int(text.length + 1));
  }
}
