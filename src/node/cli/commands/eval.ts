import path from 'node:path';
import { BACKENDS, selectBackend, type BackendRequest } from '../../../tfjs/backend/select.js';
import { DATASET_NAMES, type DatasetName } from '../../../core/config.js';
import { State } from '../../state.js';
import type { Evaluation } from '../../../tfjs/train/evaluate.js';
import { evaluateWithEngine } from '../../engine/index.js';
import { trainingFactories } from '../../../tfjs/train/factories.js';
import { loadEvalData } from '../eval-data.js';
import type { Command } from '../command.js';
import { integer, json, percent, table } from '../format.js';
import { describeEngine, ENGINE_HELP, ENGINE_OPTION, engineFlag, engineJson, openCommandEngine } from '../engine-option.js';
import type { Io } from '../io.js';
import { backendWithThreads, THREADS_HELP, THREADS_OPTION, threadsFlag } from '../threads-option.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle eval BUNDLE [--data NAME] [--json] [--data-dir DIR] [--limit N] [--engine NAME]
                      [--threads N]

Load any bundle (the architecture is read from the bundle) and evaluate it on a dataset's test
split: loss, accuracy and the confusion matrix (rows: true class, columns: predicted).

Options:
  --data NAME      ${DATASET_NAMES.join(', ')}
                   (default: the dataset in the bundle's input contract; format version 1
                   bundles have none, so fashion-mnist is guessed for 1x28x28 inputs and
                   cifar10 for 3x32x32; synthetic uses the default synthetic set of the
                   model's shape)
  --data-dir DIR   look for the dataset files here first
  --limit N        evaluate only the first N test examples
  --batch-size N   examples per forward pass (default 500)
  --engine NAME    ${ENGINE_HELP}
  --backend NAME   auto, ${BACKENDS.join(', ')}
  --threads N      ${THREADS_HELP}
  --json           one JSON object
  --verbose        stack traces on errors
  -h, --help       this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('eval', argv, {
    data: { type: 'string' },
    'data-dir': { type: 'string' },
    limit: { type: 'string' },
    'batch-size': { type: 'string' },
    backend: { type: 'string' },
    ...THREADS_OPTION,
    ...ENGINE_OPTION,
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`expected one bundle file, received ${positionals.length}`, 'eval');
  const data = values.data as string | undefined;
  if (data !== undefined && !(DATASET_NAMES as readonly string[]).includes(data)) {
    throw new UsageError(`--data must be one of ${DATASET_NAMES.join(', ')}, received "${data}"`, 'eval');
  }
  const limit = positiveInteger(values.limit, '--limit');
  const batchSize = positiveInteger(values['batch-size'], '--batch-size') ?? 500;
  const file = positionals[0]!;
  const engineRequest = engineFlag(values.engine, io.env, 'eval');
  const threads = threadsFlag(values.threads, 'eval');
  const backend = await selectBackend(values.backend as BackendRequest | undefined, { threads });
  const state = await State.load(path.resolve(io.cwd, file), { factories: trainingFactories });
  try {
    const { dataset, split, name, from } = await loadEvalData(state, file, {
      data: data as DatasetName | undefined,
      dataDir: values['data-dir'] === undefined ? null : path.resolve(io.cwd, values['data-dir'] as string),
      limit,
      command: 'eval',
    });
    const args = state.model.args as { resolution: [number, number, number] };
    // 8-bit images are scaled as the bundle says training scaled them (1/255 without a contract)
    const opened = await openCommandEngine(state.model, engineRequest, backend);
    let result: Evaluation;
    try {
      result = await evaluateWithEngine(opened.engine, split, dataset.resolution, dataset.classes, batchSize, state.input?.pixels);
    } finally {
      await opened.engine.dispose();
    }
    const summary = {
      bundle: file,
      class: state.model.className,
      epoch: state.epoch,
      dataset: dataset.name,
      datasetFrom: from,
      source: dataset.source,
      backend: backend.name,
      threads: backend.threads,
      ...engineJson(opened),
      count: result.count,
      loss: result.loss,
      accuracy: result.accuracy,
      classNames: dataset.classNames,
      confusion: result.confusion,
    };
    if (values.json) {
      io.out(json(summary));
      return EXIT.ok;
    }
    if (from === 'input shape') {
      io.out(`note: ${file} is a format version ${state.formatVersion} bundle without an input contract; dataset ${name} guessed from its input shape ${args.resolution.join('x')}\n`);
    }
    io.out(
      `${file}: ${summary.class} after epoch ${summary.epoch}, on ${dataset.name} test (${integer(result.count)} examples, backend ${backendWithThreads(backend)})\n` +
        `engine: ${describeEngine(opened, backend)}\n` +
        `loss ${result.loss.toFixed(4)}  accuracy ${percent(result.accuracy)}\n\nconfusion matrix (rows: true class, columns: predicted)\n`,
    );
    io.out(
      table(
        ['', ...dataset.classNames.map((_, i) => String(i))],
        result.confusion.map((row, i) => [`${i} ${dataset.classNames[i]}`, ...row.map(String)]),
      ),
    );
    return EXIT.ok;
  } finally {
    state.optimizer?.dispose();
    state.model.dispose();
  }
}

function positiveInteger(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, received "${String(value)}"`, 'eval');
  return n;
}

const command: Command = { name: 'eval', summary: 'evaluate any bundle on a dataset', help, run };
export default command;
