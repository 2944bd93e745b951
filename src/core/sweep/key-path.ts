/**
 * Key paths as `--set` writes them ("optimizer.args.learningRate"): parsed, applied to a plain
 * config object, and turned into JSON pointers, so a sweep's axes mean exactly what the same
 * `--set` would.
 */
import { escapePointer } from '../validate.js';

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The keys of a path, or null when the path is not one `--set` accepts (empty or forbidden parts). */
export function parseKeyPath(path: string): string[] | null {
  const keys = path.split('.');
  return keys.some((k) => k === '' || FORBIDDEN.has(k)) ? null : keys;
}

/**
 * Sets `value` at `keys`, creating objects on the way. Returns the key whose current value is
 * not an object (so the path cannot continue), or null when the value was set.
 */
export function setKeyPath(target: Record<string, unknown>, keys: readonly string[], value: unknown): string | null {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== 'object' || Array.isArray(next)) return key;
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = structuredClone(value);
  return null;
}

/** The JSON pointer into a config that a key path addresses: "model.args" → "/model/args". */
export function keyPathPointer(keys: readonly string[]): string {
  return keys.map((k) => `/${escapePointer(k)}`).join('');
}

/** Whether pointer `a` equals `b` or lies inside it (by whole tokens). */
export function pointerWithin(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`);
}
