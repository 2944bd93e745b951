import path from 'node:path';
import { BACKENDS, type BackendRequest } from '../../../tfjs/backend/select.js';
import { loadConfig } from '../../config/load.js';
import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { progressPrinter } from '../progress.js';
import { THREADS_OPTION, threadsFlag } from '../threads-option.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle train [--config FILE] [--set key.path=value ...] [--resume BUNDLE]
                       [--backend NAME] [--threads N] [--data-dir DIR] [--fallback-synthetic]

Train the model of a config file (archbundle.config.{json,yaml,yml,js,mjs,ts}, .archbundlerc*,
or package.json#archbundle, searched from the current folder up to the project root). Writes
epoch bundles, best.archbundle and metrics.jsonl under the config's output folder.

Options:
  --config FILE          use this config file instead of searching
  --set key.path=value   override a config value (JSON-parsed: --set epochs=3 --set data.augmentation.flip=true)
  --resume BUNDLE        continue from a bundle (model, optimizer, scheduler, epoch, random state) up to epochs
  --backend NAME         auto, ${BACKENDS.join(', ')} (default: ARCHBUNDLE_BACKEND, else the config's backend)
  --threads N            threads for the backend (default: ARCHBUNDLE_THREADS, else the config's threads,
                         else every core)
  --data-dir DIR         look for the dataset files here first
  --fallback-synthetic   train on the synthetic dataset when the configured one is not found
  --verbose              stack traces on errors
  -h, --help             this help
`;

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('train', argv, {
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    resume: { type: 'string' },
    backend: { type: 'string' },
    ...THREADS_OPTION,
    'data-dir': { type: 'string' },
    'fallback-synthetic': { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'train');
  const backend = values.backend as string | undefined;
  if (backend !== undefined && backend !== 'auto' && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be one of auto, ${BACKENDS.join(', ')}, received "${backend}"`, 'train');
  }
  const threads = threadsFlag(values.threads, 'train');
  const { config, filepath } = await loadConfig({
    file: values.config as string | undefined,
    cwd: io.cwd,
    set: (values.set as string[] | undefined) ?? [],
  });
  io.out(`config: ${filepath}\n`);
  const { trainFromConfig } = await import('../../train/session.js');
  const result = await trainFromConfig(config, {
    resume: values.resume === undefined ? undefined : path.resolve(io.cwd, values.resume as string),
    backend: backend as BackendRequest | undefined,
    threads,
    dataDir: values['data-dir'] === undefined ? undefined : path.resolve(io.cwd, values['data-dir'] as string),
    fallbackSynthetic: Boolean(values['fallback-synthetic']),
    onEvent: progressPrinter(io),
  });
  io.out(`metrics: ${result.metricsFile}\n`);
  if (result.lastBundle) io.out(`bundle: ${result.lastBundle}\n`);
  return EXIT.ok;
}

const command: Command = { name: 'train', summary: 'train a model from a config file', help, run };
export default command;
