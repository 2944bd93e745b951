/**
 * The allowlist: the only globals a checkpoint may name. A state dict, an optimizer's and a
 * scheduler's state dicts and the reference implementation's checkpoint dict need exactly these
 * (found by pickling real ones: test/fixtures/torch-files, scripts/torch_files.py). Anything else
 * — os.system, builtins.eval, a pickled nn.Module class — is refused when it is named, before it
 * could be called.
 */
import { ForeignFormatError } from '../errors.js';
import { PyGlobal, type CallableName } from './pickle-items.js';
import { STORAGE_TYPES, storageTypeNames } from './storage.js';

const CALLABLES: readonly CallableName[] = [
  'collections.OrderedDict',
  'collections.Counter', // MultiStepLR's milestones
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter', // an nn.Parameter saved as itself, not through state_dict()
  'torch.device',
  '_codecs.encode', // how protocol 2 spells bytes
];

/** Longest module or name looked up; longer ones are refused before any string work. */
const MAX_NAME = 200;

export function allowedGlobalNames(): string[] {
  return [...CALLABLES, ...Object.keys(STORAGE_TYPES).map((name) => `torch.${name}`)];
}

/** The admitted global `module.name`, or E_UNSAFE_PICKLE naming it (an unknown torch storage type is E_TORCH_FORMAT). */
export function resolveGlobal(module: string, name: string, stream: string, at: number): PyGlobal {
  const shown = module.length + name.length > MAX_NAME ? `${module.slice(0, 80)}….${name.slice(0, 80)}…` : `${module}.${name}`;
  if (module.length + name.length <= MAX_NAME) {
    const callable = CALLABLES.find((c) => c === shown);
    if (callable) return new PyGlobal(callable, { kind: 'callable', name: callable });
    if (module === 'torch' && Object.hasOwn(STORAGE_TYPES, name)) {
      return new PyGlobal(shown, { kind: 'storage-type', dtype: STORAGE_TYPES[name]! });
    }
    if (module === 'torch' && /^[A-Za-z0-9]+Storage$/.test(name)) {
      throw new ForeignFormatError(
        'E_TORCH_FORMAT',
        `${stream}: storage type ${shown} at byte ${at} is not supported; expected one of ${storageTypeNames()}`,
      );
    }
  }
  throw new ForeignFormatError(
    'E_UNSAFE_PICKLE',
    `${stream}: global ${JSON.stringify(shown)} at byte ${at} is not allowed; a PyTorch checkpoint may only name ${allowedGlobalNames().join(', ')}`,
  );
}
