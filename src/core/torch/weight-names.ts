/**
 * One tensor between PyTorch's names and layouts and archbundle's, by the architecture's
 * torch.json and the layer kinds of architectures/torch-layers.json, both directions.
 */
import { escapePointer } from '../validate.js';
import type { Issue } from '../errors.js';
import { ModuleMatcher, splitTorchKey, splitWeightName, type TensorRule, type TorchMapping } from './mapping.js';
import { inversePermutation, permute, permuteFlattenedRows } from './permute.js';

export interface DenseTensor {
  shape: number[];
  values: Float32Array;
}

/** [C, H, W] of the flattened map a layer takes, or null when its input is not a flattened map. */
export type FlattenedInputShape = (modulePath: string) => readonly [number, number, number] | null;

export interface ConversionContext {
  /** The model's classes: with 2, the reference implementation's single-logit layer becomes two logits. */
  classes: number;
  flattenedInput?: FlattenedInputShape;
}

/** A tensor's PyTorch key, or why it has no archbundle counterpart. */
export type TorchTensorRole =
  | { kind: 'weight'; name: string; rule: TensorRule; module: string; flattenedInput: boolean }
  | { kind: 'dropped'; reason: string; buffer: boolean }
  | { kind: 'unknown'; issue: Issue };

export class TorchWeightNames {
  private readonly matcher: ModuleMatcher;

  constructor(readonly mapping: TorchMapping) {
    this.matcher = new ModuleMatcher(mapping);
  }

  /** What the PyTorch tensor `key` is in archbundle. */
  role(key: string): TorchTensorRole {
    const [module, tensor] = splitTorchKey(key);
    const pointer = `/${escapePointer(key)}`;
    const match = this.matcher.match(module);
    if (!match) {
      return { kind: 'unknown', issue: { pointer, keyword: 'module', message: `module "${module}" is not a layer of ${this.mapping.class} (its torch.json matches no module pattern)` } };
    }
    const rule = match.tensors[tensor];
    if (!rule) {
      const known = Object.keys(match.tensors).join(', ');
      return { kind: 'unknown', issue: { pointer, keyword: 'tensor', message: `a ${match.kind} layer has no tensor "${tensor}" (expected one of ${known})` } };
    }
    if (rule.dropped !== undefined) return { kind: 'dropped', reason: rule.dropped, buffer: rule.buffer ?? false };
    return { kind: 'weight', name: `${module}/${rule.name}`, rule, module, flattenedInput: match.flattenedInput };
  }

  /** PyTorch's tensor (its shape and C-order values) in archbundle's name and layout. */
  toArchbundle(key: string, tensor: DenseTensor, context: ConversionContext): { name: string } & DenseTensor {
    const role = this.role(key);
    if (role.kind !== 'weight') throw new RangeError(`"${key}" is not a weight`);
    let { values, shape } = role.rule.permute ? permute(tensor.values, tensor.shape, role.rule.permute) : tensor;
    const chw = role.flattenedInput && shape.length === 2 ? context.flattenedInput?.(role.module) : null;
    if (chw && chw[0] * chw[1] * chw[2] === shape[0]) values = permuteFlattenedRows(values, chw, shape[1]!);
    if (this.isSingleLogit(role.module, shape, context)) ({ values, shape } = twoLogitsFromOne(values, shape));
    return { name: role.name, shape: [...shape], values };
  }

  /** The PyTorch key of an archbundle weight, and its tensor in PyTorch's layout. */
  toTorch(name: string, tensor: DenseTensor, context: ConversionContext): { key: string } & DenseTensor {
    const [module, weight] = splitWeightName(name);
    const match = this.matcher.match(module);
    const entry = match && Object.entries(match.tensors).find(([, rule]) => rule.name === weight);
    if (!match || !entry) throw new RangeError(`${this.mapping.class}'s torch.json has no PyTorch name for weight "${name}"`);
    const [torchName, rule] = entry;
    let { values, shape } = tensor;
    if (this.isSingleLogit(module, shape, context, true)) ({ values, shape } = oneLogitFromTwo(values, shape));
    const chw = match.flattenedInput && shape.length === 2 ? context.flattenedInput?.(module) : null;
    if (chw && chw[0] * chw[1] * chw[2] === shape[0]) values = permuteFlattenedRows(values, chw, shape[1]!, true);
    if (rule.permute) ({ values, shape } = permute(values, shape, inversePermutation(rule.permute)));
    return { key: `${module}.${torchName}`, shape: [...shape], values };
  }

  /** PyTorch tensors archbundle does not keep but PyTorch's strict loading expects, for the modules of `names`. */
  exportedExtras(names: readonly string[]): { key: string; dtype: 'int64' | 'float32'; fill: number }[] {
    const modules = [...new Set(names.map((n) => splitWeightName(n)[0]))];
    return modules.flatMap((module) => {
      const match = this.matcher.match(module);
      if (!match) return [];
      const hasAll = (rule: TensorRule) => rule.name === undefined || names.includes(`${module}/${rule.name}`);
      // Only layers that really have the kind's kept tensors get its extras: a group norm has no running statistics, so no counter.
      const buffers = Object.values(match.tensors).filter((r) => r.buffer && r.name !== undefined);
      if (buffers.length > 0 && !buffers.every(hasAll)) return [];
      return Object.entries(match.tensors).flatMap(([tensor, rule]) => (rule.export ? [{ key: `${module}.${tensor}`, ...rule.export }] : []));
    });
  }

  /** Whether a tensor (in archbundle's layout: outputs last) is the reference implementation's single logit, as PyTorch (1 output) or as archbundle (2) has it. */
  private isSingleLogit(module: string, shape: readonly number[], context: ConversionContext, ours = false): boolean {
    if (context.classes !== 2 || this.mapping.reference?.singleLogit !== module) return false;
    return shape[shape.length - 1] === (ours ? 2 : 1);
  }
}

/** The reference's single logit z for two classes → logits [0, z] (softmax of those is sigmoid(z)); layout [..., 1] → [..., 2]. */
function twoLogitsFromOne(values: Float32Array, shape: number[]): DenseTensor {
  const out = new Float32Array(values.length * 2);
  values.forEach((v, i) => (out[2 * i + 1] = v));
  return { values: out, shape: [...shape.slice(0, -1), 2] };
}

/** Logits [a, b] → the single logit b - a the reference implementation uses for two classes. */
function oneLogitFromTwo(values: Float32Array, shape: number[]): DenseTensor {
  const out = new Float32Array(values.length / 2);
  out.forEach((_, i) => (out[i] = values[2 * i + 1]! - values[2 * i]!));
  return { values: out, shape: [...shape.slice(0, -1), 1] };
}
