/**
 * A PyTorch state_dict as archbundle weights: every tensor is renamed and re-laid-out by the
 * architecture's mapping, dropped with a stated reason, or reported; nothing is skipped silently.
 */
import { BundleError, type Issue } from '../errors.js';
import { escapePointer } from '../validate.js';
import type { TorchMapping } from './mapping.js';
import { describePython } from './python-json.js';
import { tensorFloat32 } from './tensor-data.js';
import { isTorchTensor, PyDict, type PyValue } from './values.js';
import { TorchWeightNames, type ConversionContext, type DenseTensor } from './weight-names.js';

export interface ImportedWeight extends DenseTensor {
  name: string;
  torchKey: string;
}

export interface DroppedTensor {
  key: string;
  reason: string;
}

export interface StateDictImport {
  weights: ImportedWeight[];
  dropped: DroppedTensor[];
  /**
   * The state_dict keys of the model's parameters (buffers left out) in state_dict order, which
   * is model.parameters() order: optimizer state refers to parameters by this index.
   */
  parameterKeys: string[];
  /** Every tensor's shape, by state_dict key. */
  shapes: Map<string, readonly number[]>;
  names: TorchWeightNames;
}

const FLOAT_DTYPES: readonly string[] = ['float64', 'float32', 'float16', 'bfloat16'];

export function importStateDict(mapping: TorchMapping, stateDict: PyValue, context: ConversionContext, consumedKeys: readonly string[] = []): StateDictImport {
  if (!(stateDict instanceof PyDict)) {
    throw new BundleError('E_WEIGHTS_MISMATCH', `expected a state_dict (a dict of tensors), received ${describePython(stateDict)}`);
  }
  const names = new TorchWeightNames(mapping);
  const issues: Issue[] = [];
  const weights: ImportedWeight[] = [];
  const dropped: DroppedTensor[] = [];
  const parameterKeys: string[] = [];
  const shapes = new Map<string, readonly number[]>();
  for (const [rawKey, value] of stateDict.entries) {
    const key = String(rawKey);
    if (!isTorchTensor(value)) {
      issues.push({ pointer: `/${escapePointer(key)}`, keyword: 'type', message: `expected a tensor, received ${describePython(value)}` });
      continue;
    }
    shapes.set(key, value.shape);
    if (consumedKeys.includes(key)) {
      parameterKeys.push(key);
      continue;
    }
    const role = names.role(key);
    if (role.kind === 'unknown') {
      issues.push(role.issue);
    } else if (role.kind === 'dropped') {
      dropped.push({ key, reason: role.reason });
      if (!role.buffer) parameterKeys.push(key);
    } else {
      if (!role.rule.buffer) parameterKeys.push(key);
      if (!FLOAT_DTYPES.includes(value.storage.dtype)) {
        issues.push({ pointer: `/${escapePointer(key)}`, keyword: 'dtype', message: `expected a floating-point tensor (${FLOAT_DTYPES.join(', ')}), received ${value.storage.dtype}` });
        continue;
      }
      const dense = { shape: [...value.shape], values: tensorFloat32(value) };
      if (role.rule.permute && role.rule.permute.length !== dense.shape.length) {
        issues.push({ pointer: `/${escapePointer(key)}`, keyword: 'shape', message: `expected a ${role.rule.permute.length}-d tensor, received shape [${dense.shape.join(', ')}]` });
        continue;
      }
      weights.push({ torchKey: key, ...names.toArchbundle(key, dense, context) });
    }
  }
  if (issues.length > 0) {
    throw new BundleError('E_WEIGHTS_MISMATCH', `the state_dict does not fit ${mapping.class}: ${issues.map((i) => `${i.pointer} ${i.message}`).join('; ')}`, issues);
  }
  return { weights, dropped, parameterKeys, shapes, names };
}
