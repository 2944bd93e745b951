/**
 * The reference implementation's checkpoint — torch.save of {model, model_class, arguments,
 * kwargs, optimizer, scheduler, epoch}, where `arguments` is every public attribute of the model
 * — as an archbundle class and arguments, by the architecture's torch.json: attributes renamed,
 * values respelled, the whiten layer's tensors turned into the whitening argument, and every
 * attribute that is not an argument dropped by name (an attribute the mapping does not know is an
 * error: guessing could change the model).
 */
import { RegistryError, ValidationError, type Issue } from '../errors.js';
import type { JsonValue } from '../validate.js';
import type { ReferenceMapping, TorchMapping } from './mapping.js';
import { describePython, pythonToJson } from './python-json.js';
import { tensorFloat32 } from './tensor-data.js';
import { isTorchTensor, PyDict, type PyValue } from './values.js';

export interface DroppedAttribute {
  name: string;
  reason: string;
}

export interface ReferenceCheckpoint {
  /** The reference implementation's class name, and the archbundle class it maps to. */
  referenceClass: string;
  class: string;
  /** Arguments as mapped, before validation (defaults are filled by the registry). */
  args: Record<string, JsonValue>;
  droppedAttributes: DroppedAttribute[];
  /** state_dict keys turned into arguments (the whiten layer's), not weights. */
  consumedKeys: string[];
  stateDict: PyDict;
  optimizer: PyDict | null;
  scheduler: PyValue;
  epoch: number | null;
}

const CHECKPOINT_KEYS = ['model', 'model_class', 'arguments', 'kwargs', 'optimizer', 'scheduler', 'epoch'];

/** Whether an unpickled value is the reference implementation's checkpoint dict (rather than a plain state_dict). */
export function isReferenceCheckpoint(value: PyValue): value is PyDict {
  return value instanceof PyDict && typeof value.get('model_class') === 'string' && value.get('model') instanceof PyDict;
}

export function readReferenceCheckpoint(value: PyDict, mappings: readonly TorchMapping[]): ReferenceCheckpoint {
  const issues: Issue[] = [];
  for (const key of value.entries.keys()) {
    if (!CHECKPOINT_KEYS.includes(String(key))) issues.push({ pointer: `/${String(key)}`, keyword: 'additionalProperties', message: `is not a key of the reference implementation's checkpoint (expected ${CHECKPOINT_KEYS.join(', ')})` });
  }
  const referenceClass = value.get('model_class') as string;
  const mapping = mappings.find((m) => m.reference?.class === referenceClass);
  if (!mapping?.reference) {
    const known = mappings.flatMap((m) => (m.reference ? [m.reference.class] : []));
    throw new RegistryError('E_UNKNOWN_CLASS', `the reference implementation's class "${referenceClass}" has no archbundle mapping (mapped: ${known.join(', ')}); import its state_dict with --class NAME --args JSON`);
  }
  const reference = mapping.reference;
  const stateDict = value.get('model') as PyDict;
  const attributes = asDict(value.get('arguments'), '/arguments', issues);
  const kwargs = value.get('kwargs') === null ? new PyDict() : asDict(value.get('kwargs'), '/kwargs', issues);

  const args: Record<string, JsonValue> = {};
  const droppedAttributes: DroppedAttribute[] = [];
  const consumedKeys: string[] = [];
  for (const [key, saved] of attributes.entries) {
    const name = String(key);
    const pointer = `/arguments/${name}`;
    const argument = Object.hasOwn(reference.arguments, name) ? reference.arguments[name] : undefined;
    if (argument !== undefined) {
      const json = pythonToJson(saved, pointer, issues);
      if (json !== undefined) args[argument] = respell(reference, argument, json);
    } else if (name === reference.whitening?.flag) {
      const whitening = readWhitening(reference, saved, stateDict, pointer, issues);
      args.whitening = whitening;
      if (whitening) consumedKeys.push(reference.whitening.mean, reference.whitening.std);
    } else if (Object.hasOwn(reference.dropped, name)) {
      droppedAttributes.push({ name, reason: reference.dropped[name]! });
    } else {
      issues.push({ pointer, keyword: 'torch-mapping', message: `the reference implementation's ${referenceClass} attribute "${name}" (${describePython(saved)}) is neither an argument nor a dropped attribute in ${mapping.class}'s torch.json` });
    }
  }
  for (const [argument, rule] of Object.entries(reference.implied ?? {})) {
    const saved = pythonToJson(attributes.get(rule.from) ?? null, `/arguments/${rule.from}`, []);
    const key = typeof saved === 'string' ? saved : JSON.stringify(saved);
    args[argument] = (Object.hasOwn(rule.values, key) ? rule.values[key] : rule.otherwise) as JsonValue;
  }
  for (const [key, saved] of kwargs.entries) {
    const name = String(key);
    const attribute = Object.hasOwn(reference.kwargs, name) ? reference.kwargs[name] : undefined;
    const pointer = `/kwargs/${name}`;
    if (attribute === undefined) {
      issues.push({ pointer, keyword: 'torch-mapping', message: `keyword argument "${name}" is not one ${mapping.class}'s torch.json knows (${Object.keys(reference.kwargs).join(', ')})` });
    } else if (attributes.get(attribute) !== saved) {
      issues.push({ pointer, keyword: 'torch-mapping', message: `is ${describePython(saved)} but the attribute ${attribute} it sets is ${describePython(attributes.get(attribute))}` });
    }
  }
  const optimizer = value.get('optimizer') ?? null;
  if (optimizer !== null && !(optimizer instanceof PyDict)) issues.push({ pointer: '/optimizer', keyword: 'type', message: `expected an optimizer state_dict or None, received ${describePython(optimizer)}` });
  const epoch = value.get('epoch') ?? null;
  if (epoch !== null && !(typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0)) issues.push({ pointer: '/epoch', keyword: 'type', message: `expected a non-negative integer or None, received ${describePython(epoch)}` });
  if (issues.length > 0) throw new ValidationError('E_INVALID_ARGS', `the reference implementation's ${referenceClass} checkpoint`, issues);
  return {
    referenceClass,
    class: mapping.class,
    args,
    droppedAttributes,
    consumedKeys,
    stateDict,
    optimizer: optimizer as PyDict | null,
    scheduler: value.get('scheduler') ?? null,
    epoch: epoch as number | null,
  };
}

function asDict(value: PyValue | undefined, pointer: string, issues: Issue[]): PyDict {
  if (value instanceof PyDict) return value;
  issues.push({ pointer, keyword: 'type', message: `expected a dict, received ${describePython(value)}` });
  return new PyDict();
}

function respell(reference: ReferenceMapping, argument: string, value: JsonValue): JsonValue {
  const table = reference.values?.[argument];
  const key = typeof value === 'string' ? value : JSON.stringify(value);
  return table && Object.hasOwn(table, key) ? (table[key] as JsonValue) : value;
}

/** The whiten layer divides by its weight after subtracting its bias: std and mean per channel. */
function readWhitening(reference: ReferenceMapping, flag: PyValue, stateDict: PyDict, pointer: string, issues: Issue[]): { mean: number[]; std: number[] } | null {
  if (flag === false) return null;
  if (flag !== true) {
    issues.push({ pointer, keyword: 'type', message: `expected True or False, received ${describePython(flag)}` });
    return null;
  }
  const read = (key: string): number[] => {
    const tensor = stateDict.get(key);
    if (isTorchTensor(tensor) && tensor.shape.length === 1) return [...tensorFloat32(tensor)];
    issues.push({ pointer: `/model/${key}`, keyword: 'whitening', message: `expected the whiten layer's per-channel tensor, received ${describePython(tensor)}` });
    return [];
  };
  return { mean: read(reference.whitening!.mean), std: read(reference.whitening!.std) };
}
