/**
 * A training run from a validated config: backend, data, model (fresh or resumed from a
 * bundle), optimizer, scheduler, the epoch loop, checkpoints per the policy, metrics.jsonl and
 * a final test evaluation. It prints nothing: the CLI renders its events.
 */
import { appendFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../../core/bundle/canonical-json.js';
import '../backend/wasm-threads.js';
import { selectBackend, type BackendInfo, type BackendRequest } from '../../tfjs/backend/select.js';
import { instantiate, type Classifier } from '../../tfjs/classifier.js';
import type { TrainConfig } from '../../core/config.js';
import { prepareData, type PreparedData } from '../../tfjs/data/batches.js';
import { datasetInputContract } from '../data/dataset-contract.js';
import { loadDataset } from '../data/load.js';
import { syntheticDataset } from '../../tfjs/data/synthetic.js';
import type { Dataset } from '../../tfjs/data/types.js';
import { ArchbundleError } from '../../core/errors.js';
import { seedRandom } from '../../core/random.js';
import { State } from '../state.js';
import { earlierEpochBundles } from './earlier-epoch-bundles.js';
import { BEST_BUNDLE, bundlesToPrune, epochBundleName, isBest, writesEpoch } from './checkpoint-policy.js';
import { evaluateSplit, type Evaluation } from '../../tfjs/train/evaluate.js';
import { runEpochs, type EpochMetrics, type LoopState, type ProgressEvent } from '../../tfjs/train/loop.js';
import { accuracyObserver } from '../../tfjs/train/observe-accuracy.js';
import { createOptimizer } from '../../tfjs/train/optimizers/index.js';
import { createScheduler } from '../../tfjs/train/schedulers/index.js';
import { trainStep } from '../../tfjs/train/step.js';
import { trainingFactories } from '../../tfjs/train/factories.js';
import { checkModelFitsDataset } from '../../tfjs/train/model-fits-dataset.js';

export type SessionEvent =
  | { kind: 'backend'; info: BackendInfo }
  | { kind: 'data'; dataset: Dataset; train: number; validation: number; test: number; fallback?: string }
  | { kind: 'model'; className: string; parameters: number; resumedFrom?: { file: string; epoch: number } }
  | ProgressEvent
  | { kind: 'checkpoint'; file: string; epoch: number; best: boolean }
  | { kind: 'pruned'; file: string }
  | { kind: 'test'; epoch: number; evaluation: Evaluation }
  | { kind: 'note'; text: string };

export interface SessionOptions {
  /** Bundle to continue from (its model, optimizer, scheduler, epoch and random state). */
  resume?: string;
  /** --backend; otherwise ARCHBUNDLE_BACKEND, then the config's backend. */
  backend?: BackendRequest;
  /** --threads; otherwise ARCHBUNDLE_THREADS, then the config's threads, then every core. */
  threads?: number;
  /** --data-dir; otherwise the config's data.dataDir. */
  dataDir?: string;
  /** Train on the synthetic set when the configured dataset is not found (the main job). */
  fallbackSynthetic?: boolean;
  onEvent?: (event: SessionEvent) => void;
}

export interface SessionResult {
  state: LoopState;
  /** The newest epoch bundle written (null when nothing was trained or written). */
  lastBundle: string | null;
  test: Evaluation;
  metricsFile: string;
}

export async function trainFromConfig(config: TrainConfig, options: SessionOptions = {}): Promise<SessionResult> {
  const emit = options.onEvent ?? (() => {});
  const fromEnv = process.env.ARCHBUNDLE_BACKEND;
  const request = options.backend ?? (fromEnv || config.backend === 'auto' ? undefined : config.backend);
  emit({ kind: 'backend', info: await selectBackend(request, { threads: options.threads, configThreads: config.threads }) });

  const data = await prepare(config, options, emit);
  const { model, optimizer, scheduler, resume } = await setUp(config, options);
  if (options.resume) for (const text of resumeDifferences(config, model, optimizer, scheduler)) emit({ kind: 'note', text });
  try {
    checkModelFitsDataset(model, data.dataset, options.resume ? { source: options.resume } : { pointer: '/model/args' });
    emit({
      kind: 'model',
      className: model.className,
      parameters: model.parameterCount(),
      ...(options.resume && resume ? { resumedFrom: { file: options.resume, epoch: resume.epoch } } : {}),
    });
    await mkdir(config.output, { recursive: true });
    const metricsFile = path.join(config.output, 'metrics.jsonl');
    // resumed: the bundles of the epochs before count too (the one resumed from among them);
    // pruning runs only after a newer bundle is written, so the resumed bundle outlives that write
    const written: number[] = options.resume && resume ? await earlierEpochBundles(config.output, resume.epoch) : [];
    let lastBundle: string | null = null;
    // every bundle records what this run trained on: labels, pixel scaling, input shape
    const input = datasetInputContract(data.dataset);
    const observer = accuracyObserver(model);
    const state = await runEpochs({
      model,
      optimizer,
      scheduler,
      data,
      epochs: config.epochs,
      batchSize: config.data.batchSize,
      evalBatchSize: config.data.evalBatchSize,
      augmentation: config.data.augmentation,
      resume,
      trainBatch(x, y) {
        observer.expect(y);
        const loss = trainStep(observer.model, optimizer, x, y);
        return { loss, accuracy: observer.take() };
      },
      onProgress: emit,
      async onEpochEnd(metrics: EpochMetrics, loopState: LoopState) {
        await appendFile(metricsFile, `${JSON.stringify({ type: 'epoch', ...metrics })}\n`);
        // a diverged run's weights are not worth a bundle, and later epochs would only repeat it
        if (!Number.isFinite(metrics.loss)) {
          throw new ArchbundleError(
            'E_DIVERGED',
            `training diverged: epoch ${metrics.epoch}'s mean loss is ${metrics.loss}, expected a finite number ` +
              `(learning rate ${metrics.learningRate}); no bundle was written for this epoch`,
          );
        }
        const progress = { globalStep: loopState.step, metrics: loopState.history.map((h) => ({ ...h })) };
        const best = isBest(config.checkpoint, metrics, loopState.history);
        if (writesEpoch(config.checkpoint, metrics.epoch, config.epochs)) {
          lastBundle = path.join(config.output, epochBundleName(metrics.epoch));
          await State.checkpoint(lastBundle, model, optimizer, scheduler ?? undefined, metrics.epoch, progress, input);
          written.push(metrics.epoch);
          emit({ kind: 'checkpoint', file: lastBundle, epoch: metrics.epoch, best: false });
          for (const epoch of bundlesToPrune(config.checkpoint, written)) {
            const file = path.join(config.output, epochBundleName(epoch));
            await rm(file, { force: true });
            written.splice(written.indexOf(epoch), 1);
            emit({ kind: 'pruned', file });
          }
        }
        if (best) {
          const file = path.join(config.output, BEST_BUNDLE);
          await State.checkpoint(file, model, optimizer, scheduler ?? undefined, metrics.epoch, progress, input);
          emit({ kind: 'checkpoint', file, epoch: metrics.epoch, best: true });
        }
      },
    });
    const test = evaluateSplit(model, data.test, data.dataset.resolution, data.dataset.classes, config.data.evalBatchSize);
    await appendFile(
      metricsFile,
      `${JSON.stringify({ type: 'test', epoch: state.epoch, loss: test.loss, accuracy: test.accuracy, count: test.count })}\n`,
    );
    emit({ kind: 'test', epoch: state.epoch, evaluation: test });
    return { state, lastBundle, test, metricsFile };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

async function prepare(config: TrainConfig, options: SessionOptions, emit: (e: SessionEvent) => void): Promise<PreparedData> {
  const { data } = config;
  let dataset: Dataset;
  let fallback: string | undefined;
  try {
    dataset = await loadDataset(data.dataset, {
      dataDir: options.dataDir ?? data.dataDir,
      download: data.download,
      synthetic: data.synthetic,
    });
  } catch (error) {
    if (!(options.fallbackSynthetic && error instanceof ArchbundleError && error.code === 'E_DATA_NOT_FOUND')) throw error;
    fallback = error.message;
    dataset = syntheticDataset(data.synthetic);
  }
  const prepared = prepareData(dataset, {
    seed: config.seed,
    validationSplit: data.validationSplit,
    trainLimit: data.trainLimit,
    testLimit: data.testLimit,
  });
  emit({
    kind: 'data',
    dataset,
    train: prepared.train.count,
    validation: prepared.validation?.count ?? 0,
    test: prepared.test.count,
    ...(fallback ? { fallback } : {}),
  });
  return prepared;
}

interface Setup {
  model: Classifier;
  optimizer: ReturnType<typeof createOptimizer>;
  scheduler: ReturnType<typeof createScheduler> | null;
  resume?: LoopState;
}

async function setUp(config: TrainConfig, options: SessionOptions): Promise<Setup> {
  if (options.resume) {
    const state = await State.load(options.resume, { factories: trainingFactories });
    if (!state.optimizer) {
      state.model.dispose();
      throw new ArchbundleError('E_STATE_MISMATCH', `bundle ${options.resume} holds no optimizer state, so it cannot be resumed`);
    }
    return {
      model: state.model,
      optimizer: state.optimizer,
      scheduler: state.scheduler ?? null,
      resume: {
        epoch: state.epoch,
        step: state.globalStep,
        random: state.random,
        history: state.metrics as unknown as EpochMetrics[],
      },
    };
  }
  seedRandom(config.seed);
  const model = instantiate(config.model.class, config.model.args);
  const optimizer = createOptimizer(config.optimizer.class, config.optimizer.args);
  const scheduler = config.scheduler ? createScheduler(config.scheduler.class, config.scheduler.args ?? {}, optimizer) : null;
  return { model, optimizer, scheduler };
}

/** What the bundle being resumed holds differently from the config (the bundle wins). */
function resumeDifferences(config: TrainConfig, model: Classifier, optimizer: Setup['optimizer'], scheduler: Setup['scheduler']): string[] {
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  const notes: string[] = [];
  const describe = (what: string, bundle: string, configured: string) =>
    `the bundle's ${what} (${bundle}) differs from the config's (${configured}); continuing with the bundle's`;
  if (model.className !== config.model.class || !same(model.args, config.model.args)) {
    notes.push(describe('model', model.className, config.model.class));
  }
  if (optimizer.className !== config.optimizer.class || !same(optimizer.args, config.optimizer.args)) {
    notes.push(describe('optimizer', optimizer.className, config.optimizer.class));
  }
  if ((scheduler?.className ?? null) !== (config.scheduler?.class ?? null) || (scheduler && !same(scheduler.args, config.scheduler?.args))) {
    notes.push(describe('scheduler', scheduler?.className ?? 'none', config.scheduler?.class ?? 'none'));
  }
  return notes;
}
