/**
 * `archbundle import`'s work, apart from the command line: a foreign file's bytes in, a State
 * (model, optimizer, epoch) and a report of what was mapped and dropped out. Nothing in the file
 * is executed: pickles go through the restricted unpickler.
 */
import { readTorchFile } from '../../core/torch/read-torch-file.js';
import { modelFromTorch, type FromTorchOptions, type ImportReport } from '../../tfjs/import/from-torch.js';
import { State } from '../state.js';

export interface ImportResult {
  state: State;
  /** What the source was, e.g. "PyTorch checkpoint (legacy serialisation)". */
  source: string;
  report: ImportReport;
}

export function importTorchBytes(bytes: Uint8Array, options: FromTorchOptions = {}): ImportResult {
  const file = readTorchFile(bytes);
  const { model, optimizer, report } = modelFromTorch(file.value, options);
  const kind = report.referenceClass ? "the reference implementation's checkpoint" : 'PyTorch state_dict';
  return {
    state: new State(model, optimizer, undefined, report.epoch),
    source: `${kind} (${file.format === 'zip' ? 'zip' : 'legacy'} serialisation)`,
    report,
  };
}
