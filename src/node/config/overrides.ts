import { ArchbundleError } from '../../core/errors.js';

/**
 * Applies `--set key.path=value` overrides to a plain config object (mutating it). The value is
 * parsed as JSON when it parses (numbers, booleans, null, arrays, objects) and kept as a string
 * otherwise, so `--set output=runs/a` and `--set epochs=3` both do what they say.
 */
export function applyOverrides(target: Record<string, unknown>, assignments: readonly string[]): void {
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ArchbundleError('E_INVALID_CONFIG', `--set expects key.path=value, received "${assignment}"`);
    }
    const keys = assignment.slice(0, eq).split('.');
    if (keys.some((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype')) {
      throw new ArchbundleError('E_INVALID_CONFIG', `--set key "${assignment.slice(0, eq)}" is not a valid key path`);
    }
    setPath(target, keys, parseValue(assignment.slice(eq + 1)));
  }
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) {
      node[key] = {};
    } else if (typeof next !== 'object' || Array.isArray(next)) {
      throw new ArchbundleError(
        'E_INVALID_CONFIG',
        `--set ${keys.join('.')}: "${key}" holds ${JSON.stringify(next)}, not an object`,
      );
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
