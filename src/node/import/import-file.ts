/**
 * `archbundle import`'s work, apart from the command line: a foreign file's bytes in, a State
 * (model, optimizer, epoch) and a report of what was mapped and dropped out. Nothing in the file
 * is executed: pickles go through the restricted unpickler.
 */
import { checkArchJson } from '../../core/bundle/read-bundle.js';
import { parseStrictJson } from '../../core/bundle/strict-json.js';
import { ForeignFormatError, RegistryError } from '../../core/errors.js';
import { readSafetensors } from '../../core/safetensors/read.js';
import { readTorchFile } from '../../core/torch/read-torch-file.js';
import { safetensorsStateDict } from '../../core/torch/safetensors-state-dict.js';
import { modelFromTorch, type FromTorchOptions, type ImportReport } from '../../tfjs/import/from-torch.js';
import { inputContract } from '../../core/bundle/input-contract.js';
import type { CommonArgs } from '../../core/architecture.js';
import type { Classifier } from '../../tfjs/classifier.js';
import { State } from '../state.js';

export interface ImportResult {
  state: State;
  /** What the source was, e.g. "PyTorch checkpoint (legacy serialisation)". */
  source: string;
  report: ImportReport;
}

export interface ImportOptions extends FromTorchOptions {
  /** Class names for the bundle's input contract (import --labels FILE); one per class. */
  labels?: readonly string[];
}

/**
 * The input contract of an imported model: its shape, the given labels, and archbundle's pixel
 * scaling (8-bit values / 255: the reference implementation's datasets are floats in [0, 1]).
 */
function importedContract(model: Classifier, labels: readonly string[] | undefined) {
  return inputContract({ resolution: (model.args as unknown as CommonArgs).resolution, labels: labels ?? null });
}

export function importTorchBytes(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const file = readTorchFile(bytes);
  const { model, optimizer, report } = modelFromTorch(file.value, options);
  const kind = report.referenceClass ? "the reference implementation's checkpoint" : 'PyTorch state_dict';
  return {
    state: new State(model, optimizer, undefined, report.epoch, {}, importedContract(model, options.labels)),
    source: `${kind} (${file.format === 'zip' ? 'zip' : 'legacy'} serialisation)`,
    report,
  };
}

/** The `arch.json` that `archbundle export --to safetensors` keeps in the header's metadata. */
export const SAFETENSORS_ARCH_KEY = 'arch.json';

/** safetensors' 8-byte little-endian header length, then '{'; the torch formats start with a zip or pickle magic. */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getBigUint64(0, true);
  return length > 0n && length <= BigInt(bytes.length - 8) && /[\s{]/.test(String.fromCharCode(bytes[8]!));
}

/** Weights in PyTorch's names and layouts; class and arguments from the header's arch.json, or given. */
export function importSafetensorsBytes(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const { tensors, metadata } = readSafetensors(bytes);
  let { className, args } = options;
  const stored = metadata?.[SAFETENSORS_ARCH_KEY];
  if (stored !== undefined) {
    const arch = checkArchJson(parseStrictJson(new TextEncoder().encode(stored), `safetensors metadata "${SAFETENSORS_ARCH_KEY}"`, 64));
    if (className && className !== arch.class) {
      throw new RegistryError('E_UNKNOWN_CLASS', `the file's ${SAFETENSORS_ARCH_KEY} names ${arch.class}, not --class ${className}`);
    }
    className = arch.class;
    args = { ...arch.args, ...args };
  } else if (!className || !args) {
    throw new ForeignFormatError('E_SAFETENSORS', `the safetensors file has no "${SAFETENSORS_ARCH_KEY}" in its metadata: give --class NAME and --args JSON`);
  }
  const { model, report } = modelFromTorch(safetensorsStateDict(tensors), { ...options, className, args });
  return { state: new State(model, undefined, undefined, 0, {}, importedContract(model, options.labels)), source: `safetensors (${tensors.length} tensors${stored ? `, ${SAFETENSORS_ARCH_KEY} in its metadata` : ''})`, report };
}
