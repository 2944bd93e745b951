/**
 * `archbundle import`'s work, apart from the command line: a foreign file's bytes in, a State
 * (model, optimizer, epoch) and a report of what was mapped and dropped out. Nothing in the file
 * is executed: pickles go through the restricted unpickler.
 */
import { checkArchJson } from '../../core/bundle/read-bundle.js';
import { parseStrictJson } from '../../core/bundle/strict-json.js';
import { BundleError, ForeignFormatError, RegistryError } from '../../core/errors.js';
import { readSafetensors } from '../../core/safetensors/read.js';
import { readTorchFile } from '../../core/torch/read-torch-file.js';
import { ARCH_METADATA_KEY, safetensorsStateDict } from '../../core/torch/safetensors-state-dict.js';
import { MAX_HEADER_BYTES } from '../../core/safetensors/format.js';
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
  /** How to name the labels' source in messages, e.g. the --labels file. */
  labelsName?: string;
}

/**
 * The input contract of an imported model: its shape, the given labels, and archbundle's pixel
 * scaling (8-bit values / 255: the reference implementation's datasets are floats in [0, 1]).
 */
function importedContract(model: Classifier, options: ImportOptions) {
  const { resolution, classes } = model.args as unknown as CommonArgs;
  const labels = options.labels;
  if (labels && labels.length !== classes) {
    throw new BundleError('E_INPUT_MISMATCH', `${options.labelsName ?? 'the labels'}: ${labels.length} labels, but the imported ${model.className} has ${classes} classes, expected one label per class`);
  }
  return inputContract({ resolution, labels: labels ?? null });
}

export function importTorchBytes(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const file = readTorchFile(bytes);
  const { model, optimizer, report } = modelFromTorch(file.value, options);
  const kind = report.referenceClass ? "the reference implementation's checkpoint" : 'PyTorch state_dict';
  return {
    state: new State(model, optimizer, undefined, report.epoch, {}, importedContract(model, options)),
    source: `${kind} (${file.format === 'zip' ? 'zip' : 'legacy'} serialisation)`,
    report,
  };
}

/**
 * safetensors starts with an 8-byte little-endian header length within the format's cap, then
 * JSON; PyTorch's formats start with a zip or pickle magic, which read as a length is far above
 * it. A truncated safetensors file still sniffs as one, so its reader reports what is missing.
 */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  const first = bytes[8];
  return length > 0n && length <= BigInt(MAX_HEADER_BYTES) && (first === undefined || /[\s{]/.test(String.fromCharCode(first)));
}

/** Weights in PyTorch's names and layouts; class and arguments from the header's arch.json, or given. */
export function importSafetensorsBytes(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const { tensors, metadata } = readSafetensors(bytes);
  let { className, args } = options;
  const stored = metadata?.[ARCH_METADATA_KEY];
  if (stored !== undefined) {
    const arch = checkArchJson(parseStrictJson(new TextEncoder().encode(stored), `safetensors metadata "${ARCH_METADATA_KEY}"`, 64));
    if (className && className !== arch.class) {
      throw new RegistryError('E_UNKNOWN_CLASS', `the file's ${ARCH_METADATA_KEY} names ${arch.class}, not --class ${className}`);
    }
    className = arch.class;
    args = { ...arch.args, ...args };
  } else if (!className || !args) {
    throw new ForeignFormatError('E_SAFETENSORS', `the safetensors file has no "${ARCH_METADATA_KEY}" in its metadata: give --class NAME and --args JSON`);
  }
  const { model, report } = modelFromTorch(safetensorsStateDict(tensors), { ...options, className, args });
  return { state: new State(model, undefined, undefined, 0, {}, importedContract(model, options)), source: `safetensors (${tensors.length} tensors${stored ? `, ${ARCH_METADATA_KEY} in its metadata` : ''})`, report };
}
