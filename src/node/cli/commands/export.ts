import path from 'node:path';
import packageJson from '../../../../package.json' with { type: 'json' };
import { canonicalJson } from '../../../core/bundle/canonical-json.js';
import { FORMAT_VERSION } from '../../../core/bundle/format.js';
import { writeSafetensors } from '../../../core/safetensors/write.js';
import { BACKENDS, selectBackend, type BackendRequest } from '../../../tfjs/backend/select.js';
import { ARCH_METADATA_KEY } from '../../../core/torch/safetensors-state-dict.js';
import { archEntryOf } from '../../../tfjs/bundle/arch-entry.js';
import { torchExportNotes, torchStateDict } from '../../../tfjs/export/to-torch-state.js';
import { ONNX_OPSET } from '../../../core/onnx/encode-model.js';
import { onnxModelBytes } from '../../../tfjs/export/onnx/model-bytes.js';
import { writeFileAtomic } from '../../files/atomic-file.js';
import { State } from '../../state.js';
import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const FORMATS = ['safetensors', 'onnx'] as const;

const help = `Usage: archbundle export BUNDLE --to safetensors|onnx OUT

Write a bundle's weights, or its whole inference graph, for another tool.

  safetensors   PyTorch's names and layouts (conv kernels OIHW, linear [out, in], batch-norm
                running statistics, the whiten layer of the reference implementation): for
                SimpleNet, ResNet and WideResNet exactly the state_dict of the reference
                implementation's model, which safetensors.torch.load_file then fills; the
                bundle's arch.json is kept in the header's __metadata__ ("arch.json"), so that
                archbundle import reads the file back without --class and --args. A note says
                when the reference implementation's model of the same arguments would compute
                something else.
  onnx          the model's inference graph as an ONNX model (opset 17), batch norms folded
                into the convolutions: input "input", float32 NHWC [batch, H, W, C] (the
                values the model takes: 8-bit pixels scaled as the bundle's input contract
                says), output "logits" [batch, classes]; the bundle's arch.json in the
                metadata ("archbundle.arch.json"). A layer ONNX cannot express is refused
                by name. onnxruntime and any ONNX runtime run it (docs/onnx.md).

Options:
  --to FORMAT      ${FORMATS.join(', ')}
  --backend NAME   auto, ${BACKENDS.join(', ')}
  --verbose        stack traces on errors
  -h, --help       this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('export', argv, { to: { type: 'string' }, backend: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError(`expected BUNDLE and OUT, received ${positionals.length} arguments`, 'export');
  if (!(FORMATS as readonly string[]).includes(values.to as string)) {
    throw new UsageError(`--to must be one of ${FORMATS.join(', ')}, received ${values.to === undefined ? 'nothing' : JSON.stringify(values.to)}`, 'export');
  }
  const [bundle, out] = positionals as [string, string];
  await selectBackend(values.backend as BackendRequest | undefined);
  const state = await State.load(path.resolve(io.cwd, bundle));
  try {
    if (values.to === 'onnx') {
      const bytes = onnxModelBytes(state.model, { producerVersion: packageJson.version });
      await writeFileAtomic(path.resolve(io.cwd, out), [bytes]);
      io.out(`wrote ${out}: the inference graph of ${state.model.className} as ONNX (opset ${ONNX_OPSET}, ${bytes.length.toLocaleString('en-US')} bytes), input NHWC float32, output logits\n`);
      return EXIT.ok;
    }
    const tensors = torchStateDict(state.model).map((t) => ({ name: t.key, dtype: t.dtype === 'int64' ? ('I64' as const) : ('F32' as const), shape: t.shape, bytes: t.bytes }));
    // The bundle's own arch.json, which import checks exactly as the bundle reader does.
    const arch = { formatVersion: FORMAT_VERSION, ...archEntryOf(state.model) };
    await writeFileAtomic(path.resolve(io.cwd, out), writeSafetensors(tensors, { format: 'pt', [ARCH_METADATA_KEY]: canonicalJson(arch) }));
    io.out(`wrote ${out}: ${tensors.length} tensors of ${state.model.className} in PyTorch's names and layouts\n`);
    for (const note of torchExportNotes(state.model)) io.out(`note: ${note}\n`);
  } finally {
    state.model.dispose();
    state.optimizer?.dispose();
  }
  return EXIT.ok;
}

export default { name: 'export', summary: 'write a bundle as safetensors (PyTorch\'s names and layouts) or as an ONNX model', help, run } satisfies Command;
