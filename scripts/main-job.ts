/**
 * The main job (`npm start`): trains the default config (archbundle.config.json: SimpleNet on
 * Fashion-MNIST), then reloads the final bundle without naming its architecture, evaluates it on
 * the test set and validates it, all through the CLI. Without the dataset it says so and trains
 * on the synthetic set instead.
 */
import os from 'node:os';
import path from 'node:path';
import { currentBackend, loadConfig } from '../src/index.js';
import { processIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';
import { DATASETS, isFileDataset } from '../src/node/data/catalog.js';
import { locate } from '../src/node/data/locate.js';
import { epochBundleName } from '../src/node/train/checkpoint-policy.js';

const io = processIo();
const started = performance.now();
const extra = process.argv.slice(2);

async function step(title: string, argv: string[]): Promise<void> {
  io.out(`\n== ${title}: archbundle ${argv.join(' ')}\n`);
  const code = await main(argv, io);
  if (code !== 0) {
    io.err(`main job: "${title}" failed (exit ${code})\n`);
    process.exit(code);
  }
}

const { config } = await loadConfig({ cwd: io.cwd, set: extra.filter((a, i) => extra[i - 1] === '--set') });
const name = config.data.dataset;
const available = !isFileDataset(name) || locate(DATASETS[name], { dataDir: config.data.dataDir }) !== undefined;
if (!available) io.out(`main job: ${name} is not installed here; training on the synthetic dataset instead\n`);

// Every core unless told otherwise (--threads, ARCHBUNDLE_THREADS, the config's threads): the
// backend line of the train step shows the count the backend really uses.
io.out(`main job: ${os.availableParallelism()} cores available; training uses all of them unless --threads, ARCHBUNDLE_THREADS or the config's threads say otherwise\n`);
await step('train', ['train', '--fallback-synthetic', ...extra]);
const backend = currentBackend();
if (backend) io.out(`main job: trained on ${backend.name} with ${backend.threads} thread${backend.threads === 1 ? '' : 's'} (${backend.threadsSource === 'default' ? 'every core' : `from ${backend.threadsSource}`})\n`);
const bundle = path.relative(io.cwd, path.join(config.output, epochBundleName(config.epochs)));
await step('evaluate the reloaded bundle', ['eval', bundle, '--data', available ? name : 'synthetic']);
await step('validate', ['validate', bundle, '--deep']);
io.out(`\nmain job finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
