/**
 * The PyTorch correspondence of an architecture, as data: architectures/<name>/torch.json
 * (schemas/torch-mapping.schema.json) names which module paths are which layer kinds and how the
 * reference implementation's saved attributes become arguments; architectures/torch-layers.json
 * (schemas/torch-layers.schema.json) says, per kind, which PyTorch tensor becomes which
 * archbundle weight and in which layout. The Python package reads the same files.
 */
import torchLayers from '../../../architectures/torch-layers.json' with { type: 'json' };
import { BundleError } from '../errors.js';

export interface TorchModuleRule {
  pattern: string;
  kind: string;
  flattenedInput?: boolean;
}

export interface ReferenceMapping {
  class: string;
  arguments: Record<string, string>;
  values?: Record<string, Record<string, unknown>>;
  implied?: Record<string, { from: string; values: Record<string, unknown>; otherwise: unknown }>;
  whitening?: { flag: string; mean: string; std: string };
  kwargs: Record<string, string>;
  dropped: Record<string, string>;
  singleLogit?: string;
}

export interface TorchMapping {
  class: string;
  modules: TorchModuleRule[];
  reference?: ReferenceMapping;
}

/** One PyTorch tensor of a layer kind: the archbundle weight it becomes, or why it is dropped. */
export interface TensorRule {
  /** The archbundle weight's last name part, e.g. "kernel"; absent when dropped. */
  name?: string;
  /** archbundle = transpose(PyTorch, permute). */
  permute?: number[];
  buffer?: boolean;
  dropped?: string;
  /** What export writes for a dropped tensor (PyTorch's strict load_state_dict wants it). */
  export?: { dtype: 'int64' | 'float32'; fill: number };
}

/** Layer kind → PyTorch tensor name → its rule. */
export type TorchLayerKinds = Record<string, Record<string, TensorRule>>;

export const TORCH_LAYER_KINDS: TorchLayerKinds = (() => {
  const { $schema: _, ...kinds } = torchLayers as Record<string, unknown>;
  return kinds as TorchLayerKinds;
})();

/** What a module path is: its kind's tensor rules, and whether it may take a flattened map. */
export interface ModuleMatch {
  kind: string;
  tensors: Record<string, TensorRule>;
  flattenedInput: boolean;
}

/** Compiled module rules of one mapping (first match wins, patterns match the whole path). */
export class ModuleMatcher {
  private readonly rules: { regex: RegExp; rule: TorchModuleRule }[];

  constructor(readonly mapping: TorchMapping) {
    this.rules = mapping.modules.map((rule) => {
      if (!Object.hasOwn(TORCH_LAYER_KINDS, rule.kind)) {
        throw new BundleError('E_INVALID_ARGS', `${mapping.class}'s PyTorch mapping names the layer kind "${rule.kind}", which architectures/torch-layers.json does not define`);
      }
      return { regex: new RegExp(`^(?:${rule.pattern})$`), rule };
    });
  }

  match(modulePath: string): ModuleMatch | undefined {
    const found = this.rules.find((r) => r.regex.test(modulePath));
    if (!found) return undefined;
    return { kind: found.rule.kind, tensors: TORCH_LAYER_KINDS[found.rule.kind]!, flattenedInput: found.rule.flattenedInput ?? false };
  }
}

/** "block0.0.conv1.weight" → ["block0.0.conv1", "weight"]. */
export function splitTorchKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? ['', key] : [key.slice(0, dot), key.slice(dot + 1)];
}

/** "block0.0.conv1/kernel" → ["block0.0.conv1", "kernel"]. */
export function splitWeightName(name: string): [string, string] {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? ['', name] : [name.slice(0, slash), name.slice(slash + 1)];
}

/** An argument whose value differs from what the reference implementation's code implies for the other arguments. */
export interface ImpliedDifference {
  argument: string;
  value: unknown;
  implied: unknown;
  /** The argument the implication rests on, and its value, in archbundle's spelling. */
  because: { argument: string; value: unknown };
}

/**
 * The `implied` rules of a mapping checked against complete archbundle arguments, e.g. a
 * WideResNet with normalization none whose shortcut is not "activated": the reference
 * implementation's model of those arguments computes something else.
 */
export function impliedDifferences(mapping: TorchMapping, args: Readonly<Record<string, unknown>>): ImpliedDifference[] {
  const reference = mapping.reference;
  if (!reference?.implied) return [];
  const out: ImpliedDifference[] = [];
  for (const [argument, rule] of Object.entries(reference.implied)) {
    const ours = Object.hasOwn(reference.arguments, rule.from) ? reference.arguments[rule.from]! : rule.from;
    const table = reference.values?.[ours] ?? {};
    const spelled = (saved: string) => (Object.hasOwn(table, saved) ? table[saved] : saved);
    const match = Object.keys(rule.values).find((saved) => JSON.stringify(spelled(saved)) === JSON.stringify(args[ours]));
    const implied = match === undefined ? rule.otherwise : rule.values[match];
    if (JSON.stringify(implied) !== JSON.stringify(args[argument])) out.push({ argument, value: args[argument], implied, because: { argument: ours, value: args[ours] } });
  }
  return out;
}

export function describeImpliedDifference(className: string, d: ImpliedDifference): string {
  return `${d.argument} is ${JSON.stringify(d.value)}, but the reference implementation's ${className} with ${d.because.argument} ${JSON.stringify(d.because.value)} computes ${d.argument} ${JSON.stringify(d.implied)}`;
}
