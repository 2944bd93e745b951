import path from 'node:path';
import { topClasses, softmax, type RankedClass } from '../../../core/class-ranking.js';
import { DEFAULT_PIXEL_SCALING, inputShape } from '../../../core/bundle/input-contract.js';
import { ArchbundleError } from '../../../core/errors.js';
import { BACKENDS, selectBackend, type BackendRequest } from '../../../tfjs/backend/select.js';
import { trainingFactories } from '../../../tfjs/train/factories.js';
import { readSamples, type ArrayLayout, type ModelInput, type Sample } from '../../inputs/samples.js';
import { engineLogits } from '../../engine/index.js';
import { State } from '../../state.js';
import type { Command } from '../command.js';
import { json, percent } from '../format.js';
import { describeEngine, ENGINE_HELP, ENGINE_OPTION, engineFlag, engineJson, openCommandEngine } from '../engine-option.js';
import type { Io } from '../io.js';
import { THREADS_HELP, THREADS_OPTION, threadsFlag } from '../threads-option.js';
import { EXIT, formatError, parseCommandLine, UsageError } from '../usage.js';

const DEFAULT_TOP = 5;

const help = `Usage: archbundle predict BUNDLE INPUT... [--top K] [--json] [--layout nhwc|nchw] [--resize]
                         [--engine NAME] [--backend NAME] [--threads N]

Classify inputs with any bundle (the architecture is read from the bundle): the most probable
classes of each example, with their labels (from the bundle's input contract, else the class
index) and probabilities (softmax of the logits). Inputs:
  PNG and JPEG images   one example each, converted to the model's channels (grey or RGB)
  .npy arrays           float32 (used as given) or uint8; one example [H, W, C] or a batch
                        [N, H, W, C] (see --layout)
  IDX files             uint8 images [N, H, W] or [N, H, W, C], as MNIST's (*-ubyte, .idx, .gz)
8-bit values are scaled as in training (the contract's pixel scaling, 1/255 without one).

Options:
  --top K          classes per example (default ${DEFAULT_TOP}, at most the model's classes)
  --json           {"engine", "engineThreads", "predictions": [{"input", "logits", "probabilities", "top"}]}
  --engine NAME    ${ENGINE_HELP}
  --layout L       nhwc (default) or nchw (PyTorch's channels first) for .npy and IDX arrays
  --resize         stretch images of another size to the model's (bilinear); refused otherwise
  --backend NAME   auto, ${BACKENDS.join(', ')}
  --threads N      ${THREADS_HELP}
  --verbose        stack traces on errors
  -h, --help       this help
`;

interface Prediction {
  input: string;
  logits: number[];
  probabilities: number[];
  top: RankedClass[];
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('predict', argv, {
    top: { type: 'string' },
    json: { type: 'boolean' },
    layout: { type: 'string' },
    resize: { type: 'boolean' },
    backend: { type: 'string' },
    ...THREADS_OPTION,
    ...ENGINE_OPTION,
  });
  if (positionals.length < 2) {
    throw new UsageError(`expected a bundle file and at least one input, received ${positionals.length} argument${positionals.length === 1 ? '' : 's'}`, 'predict');
  }
  const top = positiveInteger(values.top) ?? DEFAULT_TOP;
  const layout = parseLayout(values.layout);
  const backendName = values.backend as string | undefined;
  if (backendName !== undefined && backendName !== 'auto' && !(BACKENDS as readonly string[]).includes(backendName)) {
    throw new UsageError(`--backend must be one of auto, ${BACKENDS.join(', ')}, received "${backendName}"`, 'predict');
  }
  const engineRequest = engineFlag(values.engine, io.env, 'predict');
  const [file, ...inputs] = positionals as [string, ...string[]];
  const backend = await selectBackend(backendName as BackendRequest | undefined, { threads: threadsFlag(values.threads, 'predict') });
  const state = await State.load(path.resolve(io.cwd, file), { factories: trainingFactories });
  try {
    const args = state.model.args as { classes: number; resolution: [number, number, number] };
    const [height, width, channels] = inputShape(args.resolution);
    const model: ModelInput = { height, width, channels, pixels: state.input?.pixels ?? DEFAULT_PIXEL_SCALING };
    const { samples, problems } = await readAll(inputs, io.cwd, model, { layout, resize: Boolean(values.resize) });
    if (problems.length > 0) {
      for (const problem of problems) io.err(formatError(problem, Boolean(values.verbose), 'predict'));
      return EXIT.failed;
    }
    const labels = state.input?.labels ?? null;
    const opened = await openCommandEngine(state.model, engineRequest, backend);
    let logits: Float32Array[];
    try {
      logits = await engineLogits(opened.engine, samples.map((s) => s.values), [height, width, channels]);
    } finally {
      await opened.engine.dispose();
    }
    const predictions: Prediction[] = samples.map((sample, i) => {
      const probabilities = softmax(logits[i]!);
      return { input: sample.name, logits: Array.from(logits[i]!), probabilities, top: topClasses(probabilities, top, labels) };
    });
    if (values.json) {
      io.out(json({ ...engineJson(opened), predictions }));
      return EXIT.ok;
    }
    if (!state.input) {
      io.out(`note: ${file} holds no input contract${state.formatVersion < 2 ? ` (format version ${state.formatVersion})` : ''}: 8-bit inputs scaled by 1/255, classes shown by index\n`);
    }
    io.out(predictions.map((p) => describePrediction(p, labels !== null)).join('\n'));
    io.out(`engine: ${describeEngine(opened, backend)}\n`);
    return EXIT.ok;
  } finally {
    state.optimizer?.dispose();
    state.model.dispose();
  }
}

/** Reads every input, collecting each unusable one's error so that all are reported at once. */
async function readAll(inputs: string[], cwd: string, model: ModelInput, options: { layout: ArrayLayout; resize: boolean }) {
  const samples: Sample[] = [];
  const problems: ArchbundleError[] = [];
  for (const input of inputs) {
    try {
      samples.push(...(await readSamples(path.resolve(cwd, input), input, model, options)));
    } catch (error) {
      if (!(error instanceof ArchbundleError)) throw error;
      problems.push(error);
    }
  }
  return { samples, problems };
}

/** One block per example: its name, then one line per class: index, label (when the classes have names), probability. */
function describePrediction(prediction: Prediction, named: boolean): string {
  const rows = prediction.top.map((c) => [String(c.class), ...(named ? [c.label] : []), percent(c.probability)]);
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => r[col]!.length)));
  const align = (cell: string, col: number) => (col === 0 || col === widths.length - 1 ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!));
  const lines = rows.map((row) => `  ${row.map(align).join('  ')}`);
  return `${prediction.input}\n${lines.join('\n')}\n`;
}

function parseLayout(value: unknown): ArrayLayout {
  if (value === undefined) return 'nhwc';
  const layout = String(value).toLowerCase();
  if (layout !== 'nhwc' && layout !== 'nchw') throw new UsageError(`--layout must be nhwc or nchw, received "${String(value)}"`, 'predict');
  return layout;
}

function positiveInteger(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--top must be a positive integer, received "${String(value)}"`, 'predict');
  return n;
}

const command: Command = { name: 'predict', summary: 'classify images and arrays with any bundle', help, run };
export default command;
