/** Python values as JSON, for arguments and hyper-parameters: what cannot be JSON is an issue, never guessed. */
import type { Issue } from '../errors.js';
import type { JsonValue } from '../validate.js';
import { isTorchTensor, PyDict, PyTuple, type PyValue } from './values.js';

export function pythonToJson(value: PyValue, pointer: string, issues: Issue[]): JsonValue | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    issues.push({ pointer, keyword: 'type', message: `expected a finite number, received ${value}` });
    return undefined;
  }
  if (typeof value === 'bigint') {
    issues.push({ pointer, keyword: 'type', message: `expected a number, received the integer ${value}, too large for JSON` });
    return undefined;
  }
  if (Array.isArray(value) || value instanceof PyTuple) {
    const items = Array.isArray(value) ? value : value.items;
    return items.map((item, i) => pythonToJson(item, `${pointer}/${i}`, issues) ?? null);
  }
  if (value instanceof PyDict) {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of value.entries) out[String(key)] = pythonToJson(item, `${pointer}/${String(key)}`, issues) ?? null;
    return out;
  }
  issues.push({ pointer, keyword: 'type', message: `expected a plain value (number, string, bool, None, list, dict), received ${describePython(value)}` });
  return undefined;
}

export function describePython(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof PyTuple) return 'a tuple';
  if (value instanceof PyDict) return 'a dict';
  if (isTorchTensor(value)) return `a ${value.storage.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value === 'object') return value.constructor.name;
  return `${typeof value} ${JSON.stringify(String(value))}`;
}
