import path from 'node:path';
import { BACKENDS, selectBackend, type BackendRequest } from '../../../tfjs/backend/select.js';
import { readLabelsFile } from '../../inputs/labels-file.js';
import { readInputFile } from '../../inputs/read-input-file.js';
import { importSafetensorsBytes, importTorchBytes, looksLikeSafetensors, type ImportResult } from '../../import/import-file.js';
import type { Command } from '../command.js';
import { json } from '../format.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle import SRC DST [--class NAME --args JSON] [--optimizer NAME] [--labels FILE] [--json]

Turn a PyTorch checkpoint into a bundle, without executing anything in it: the file's pickle is
read by a restricted unpickler that knows only what a state dict needs.

SRC is the reference implementation's checkpoint (its State.save: model class, arguments,
weights, optimizer, epoch), in the legacy or the zip serialisation; a plain state_dict with
--class and --args; or a safetensors file in PyTorch's names and layouts (class and arguments
from the "arch.json" that archbundle export keeps in its metadata, or --class and --args).
Arguments are mapped and validated by the class's schema, weights renamed and re-laid-out by
architectures/<name>/torch.json; what is dropped is listed.

Options:
  --class NAME      archbundle class of a plain state_dict (see archbundle schema list)
  --args JSON       its arguments, e.g. '{"classes":10,"resolution":[1,28,28]}'
  --optimizer NAME  the optimizer class when its state fits several (Adam or AdamW)
  --labels FILE     class names for the bundle's input contract: one per line, or a JSON array
  --backend NAME    auto, ${BACKENDS.join(', ')}
  --json            the report as one JSON object
  --verbose         stack traces on errors
  -h, --help        this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('import', argv, {
    class: { type: 'string' },
    args: { type: 'string' },
    optimizer: { type: 'string' },
    labels: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 2) throw new UsageError(`expected SRC and DST, received ${positionals.length} arguments`, 'import');
  const [src, dst] = positionals as [string, string];
  if ((values.class === undefined) !== (values.args === undefined)) throw new UsageError('--class and --args go together', 'import');
  const args = values.args === undefined ? undefined : parseArgs(values.args as string);
  await selectBackend(values.backend as BackendRequest | undefined);
  const bytes = await readInputFile(path.resolve(io.cwd, src), src);
  const labels = values.labels === undefined ? undefined : await readLabelsFile(path.resolve(io.cwd, values.labels as string), { name: values.labels as string });
  const options = { className: values.class as string | undefined, args, optimizerClass: values.optimizer as string | undefined, labels, labelsName: `labels file ${values.labels as string}` };
  const result = looksLikeSafetensors(bytes) ? importSafetensorsBytes(bytes, options) : importTorchBytes(bytes, options);
  try {
    await result.state.save(path.resolve(io.cwd, dst));
  } finally {
    result.state.model.dispose();
    result.state.optimizer?.dispose();
  }
  io.out(values.json ? json(summary(src, dst, result)) : describe(src, dst, result));
  return EXIT.ok;
}

function parseArgs(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(`--args must be a JSON object, received ${JSON.stringify(text)}`, 'import');
}

function summary(src: string, dst: string, { source, report, state }: ImportResult) {
  return { source: src, bundle: dst, format: source, ...report, labels: state.input?.labels ?? null };
}

/** Dropped tensors grouped by reason: "num_batches_tracked × 13". */
function groupDropped(dropped: ImportResult['report']['droppedTensors']): string[] {
  const byTensor = new Map<string, number>();
  for (const d of dropped) {
    const tensor = d.key.slice(d.key.lastIndexOf('.') + 1);
    byTensor.set(tensor, (byTensor.get(tensor) ?? 0) + 1);
  }
  return [...byTensor].map(([tensor, n]) => `${tensor} × ${n} (${dropped.find((d) => d.key.endsWith(`.${tensor}`))!.reason})`);
}

function describe(src: string, dst: string, result: ImportResult): string {
  const { report } = result;
  const lines = [
    `read:       ${src}: ${result.source}`,
    `class:      ${report.referenceClass && report.referenceClass !== report.class ? `${report.referenceClass} → ` : ''}${report.class}`,
    `arguments:  ${JSON.stringify(report.args)}`,
  ];
  if (report.droppedAttributes.length > 0) {
    lines.push(`dropped attributes: ${report.droppedAttributes.map((a) => `${a.name} (${a.reason})`).join('; ')}`);
  }
  if (report.droppedTensors.length > 0) lines.push(`dropped tensors: ${groupDropped(report.droppedTensors).join('; ')}`);
  lines.push(`optimizer:  ${report.optimizer ? `${report.optimizer.class}, step ${report.optimizer.step}, ${report.optimizer.slots} slot tensors` : '(none)'}`);
  for (const note of report.notes) lines.push(`note:       ${note}`);
  const contract = result.state.input;
  lines.push(`labels:     ${contract?.labels ? contract.labels.join(', ') : '(none: give --labels FILE)'}`);
  lines.push(`epoch:      ${report.epoch}`, `wrote:      ${dst}`);
  return `${lines.join('\n')}\n`;
}

export default { name: 'import', summary: 'turn a PyTorch checkpoint into a bundle, executing nothing', help, run } satisfies Command;
