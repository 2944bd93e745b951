/**
 * A PyTorch optimizer state_dict ({state: {index: {slot: tensor, step}}, param_groups: [...]}) as
 * an archbundle optimizer: class, arguments, step and slots named '<weight>/<slot>', by
 * src/core/optimizers/torch.json. archbundle's update rules follow torch.optim, so the slots
 * continue where PyTorch stopped.
 */
import torchOptimizers from '../optimizers/torch.json' with { type: 'json' };
import { BundleError, type Issue } from '../errors.js';
import type { JsonValue } from '../validate.js';
import { describePython, pythonToJson } from './python-json.js';
import { isTorchTensor } from './state-dict.js';
import { tensorFloat32 } from './tensor-data.js';
import { PyDict, type PyValue } from './values.js';
import type { ConversionContext, DenseTensor, TorchWeightNames } from './weight-names.js';

interface OptimizerRule {
  detect: string[];
  args: Record<string, string>;
  ignored: Record<string, JsonValue[]>;
  informational: string[];
  slots: string[];
}

const RULES = Object.fromEntries(Object.entries(torchOptimizers).filter(([k]) => !k.startsWith('$'))) as Record<string, OptimizerRule>;

export interface ImportedOptimizer {
  class: string;
  args: Record<string, JsonValue>;
  step: number;
  slots: ({ name: string } & DenseTensor)[];
}

export interface OptimizerImportInput {
  state: PyValue;
  /** The state_dict keys of the model's parameters, in model.parameters() order. */
  parameterKeys: readonly string[];
  names: TorchWeightNames;
  context: ConversionContext;
  /** PyTorch's state_dict does not name its class: the caller's choice among those that fit. */
  className?: string;
}

/** The optimizer classes whose param_group keys fit a PyTorch state_dict, most likely first. */
export function torchOptimizerCandidates(group: PyDict): string[] {
  return Object.entries(RULES).filter(([, rule]) => rule.detect.every((k) => group.entries.has(k))).map(([name]) => name);
}

export function importOptimizerState(input: OptimizerImportInput): ImportedOptimizer {
  const fail = (issues: Issue[]): never => {
    throw new BundleError('E_STATE_MISMATCH', `the PyTorch optimizer state does not fit: ${issues.map((i) => `${i.pointer} ${i.message}`).join('; ')}`, issues);
  };
  const { state } = input;
  const groups = state instanceof PyDict ? state.get('param_groups') : undefined;
  const perParameter = state instanceof PyDict ? state.get('state') : undefined;
  if (!Array.isArray(groups) || !(perParameter instanceof PyDict)) {
    fail([{ pointer: '', keyword: 'type', message: `expected an optimizer state_dict {state, param_groups}, received ${describePython(state)}` }]);
  }
  const groupList = groups as PyValue[];
  if (groupList.length !== 1 || !(groupList[0] instanceof PyDict)) {
    fail([{ pointer: '/param_groups', keyword: 'maxItems', message: `expected one parameter group (archbundle optimizes every weight alike), received ${groupList.length}` }]);
  }
  const group = groupList[0] as PyDict;
  const candidates = torchOptimizerCandidates(group);
  const className = input.className ?? candidates[0];
  if (!className || !candidates.includes(className)) {
    fail([{ pointer: '/param_groups/0', keyword: 'torch-optimizer', message: `the keys ${[...group.entries.keys()].join(', ')} fit ${candidates.length ? candidates.join(' or ') : 'no optimizer archbundle knows'}${input.className ? `, not ${input.className}` : ''}` }]);
  }
  const rule = RULES[className!]!;
  const issues: Issue[] = [];
  const args = readArgs(rule, group, issues);
  const params = group.get('params');
  const indices = Array.isArray(params) ? params : [];
  if (!Array.isArray(params) || indices.length !== input.parameterKeys.length) {
    issues.push({ pointer: '/param_groups/0/params', keyword: 'params', message: `expected the indices of the model's ${input.parameterKeys.length} parameters, received ${describePython(params)}${Array.isArray(params) ? ` of length ${indices.length}` : ''}` });
  }

  const slots: ImportedOptimizer['slots'] = [];
  const steps = new Set<number>();
  for (const [index, entry] of (perParameter as PyDict).entries) {
    const pointer = `/state/${String(index)}`;
    const position = indices.indexOf(index as PyValue);
    const key = typeof index === 'number' && position >= 0 ? input.parameterKeys[position] : undefined;
    if (key === undefined || !(entry instanceof PyDict)) {
      issues.push({ pointer, keyword: 'params', message: `refers to no parameter of the model (parameter indices are 0 to ${input.parameterKeys.length - 1})` });
      continue;
    }
    const role = input.names.role(key);
    for (const [slotKey, slotValue] of entry.entries) {
      const slot = String(slotKey);
      if (slot === 'step') {
        const step = isTorchTensor(slotValue) ? tensorFloat32(slotValue)[0] : slotValue;
        if (typeof step === 'number' && Number.isInteger(step) && step >= 0) steps.add(step);
        else issues.push({ pointer: `${pointer}/step`, keyword: 'type', message: `expected a step count, received ${describePython(slotValue)}` });
      } else if (!rule.slots.includes(slot)) {
        issues.push({ pointer: `${pointer}/${slot}`, keyword: 'slot', message: `${className} keeps no state "${slot}" (it keeps ${rule.slots.join(', ')})` });
      } else if (slotValue === null) {
        // SGD without momentum stores momentum_buffer None: nothing to carry.
      } else if (!isTorchTensor(slotValue) || role.kind !== 'weight') {
        issues.push({ pointer: `${pointer}/${slot}`, keyword: 'type', message: `expected a tensor for the weight of "${key}", received ${describePython(slotValue)}` });
      } else if (role.rule.permute && role.rule.permute.length !== slotValue.shape.length) {
        // checked before the layout is permuted, as importStateDict checks the weights; a wrong shape of the right rank is the optimizer's setState's to refuse
        issues.push({ pointer: `${pointer}/${slot}`, keyword: 'shape', message: `expected a ${role.rule.permute.length}-d tensor like the weight of "${key}", received shape [${slotValue.shape.join(', ')}]` });
      } else {
        const dense = input.names.toArchbundle(key, { shape: [...slotValue.shape], values: tensorFloat32(slotValue) }, input.context);
        slots.push({ ...dense, name: `${dense.name}/${slot}` });
      }
    }
  }
  if (steps.size > 1) issues.push({ pointer: '/state', keyword: 'step', message: `archbundle keeps one step count for all weights; PyTorch's differ: ${[...steps].join(', ')}` });
  if (issues.length > 0) fail(issues);
  return { class: className!, args, step: steps.size === 1 ? [...steps][0]! : 0, slots };
}

function readArgs(rule: OptimizerRule, group: PyDict, issues: Issue[]): Record<string, JsonValue> {
  const args: Record<string, JsonValue> = {};
  const mapped = new Set<string>();
  for (const [source, target] of Object.entries(rule.args)) {
    const [key, item] = source.split('/') as [string, string | undefined];
    mapped.add(key);
    const raw = group.get(key);
    if (raw === undefined) continue;
    const value = pythonToJson(raw, `/param_groups/0/${key}`, issues);
    args[target] = item === undefined ? value ?? null : Array.isArray(value) ? value[Number(item)] ?? null : null;
  }
  for (const [key, raw] of group.entries) {
    const name = String(key);
    if (mapped.has(name) || name === 'params' || rule.informational.includes(name)) continue;
    if (!Object.hasOwn(rule.ignored, name)) {
      issues.push({ pointer: `/param_groups/0/${name}`, keyword: 'torch-optimizer', message: `is a setting archbundle does not implement (received ${describePython(raw)})` });
    } else if (!rule.ignored[name]!.includes(pythonToJson(raw, `/param_groups/0/${name}`, []) as JsonValue)) {
      const allowed = rule.ignored[name]!.map((v) => JSON.stringify(v)).join(' or ');
      issues.push({ pointer: `/param_groups/0/${name}`, keyword: 'torch-optimizer', message: `expected ${allowed} (archbundle implements only that), received ${describePython(raw)}` });
    }
  }
  return args;
}
