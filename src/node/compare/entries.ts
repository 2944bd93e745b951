/**
 * One compare target → one leaderboard entry: the bundle read in full by the core reader (every
 * check and checksum, no TF.js), its training history, the metrics.jsonl beside it, its sweep
 * run's record, and with a dataset named its test accuracy evaluated as `archbundle eval` does.
 * A bundle that fails any check gives an error (its code) instead of an entry's figures.
 */
import path from 'node:path';
import type { DatasetName } from '../../core/config.js';
import { ArchbundleError } from '../../core/errors.js';
import { bestValidation, finalTest, recordedTestAccuracy, trainingSeconds } from '../../core/compare/history.js';
import type { LeaderboardEntry } from '../../core/compare/leaderboard.js';
import { readBundle } from '../../core/bundle/read-bundle.js';
import { openBundleFile } from '../files/bundle-file.js';
import { readMetricsFile } from '../viewer/metrics-file.js';
import type { CompareTarget } from './targets.js';

export interface CompareProblem {
  name: string;
  code: string;
  message: string;
}

export interface EvaluateOptions {
  data: DatasetName;
  dataDir: string | null;
  limit?: number;
  batchSize: number;
}

/** The entry of `target`, and the problem that kept (part of) it from being filled in, if any. */
export async function readEntry(target: CompareTarget, evaluate?: EvaluateOptions): Promise<{ entry: LeaderboardEntry; problem?: CompareProblem }> {
  const entry: LeaderboardEntry = {
    name: target.name,
    bundle: target.bundle === null ? null : target.name,
    class: null,
    args: null,
    parameters: null,
    epoch: null,
    bestValAccuracy: null,
    bestEpoch: null,
    testAccuracy: null,
    testFrom: null,
    finalTest: null,
    trainSeconds: target.run?.trainSeconds ?? null,
    timeFrom: target.run?.trainSeconds === undefined ? null : 'run.json',
    ...(target.run ? { run: { id: target.run.id, state: target.run.state, axes: target.run.axes, ...pick(target.run) } } : {}),
  };
  if (target.bundle === null) return { entry };
  try {
    const contents = await readBundle(await openBundleFile(target.bundle));
    const history = contents.training.metrics;
    const epoch = contents.training.epoch;
    const best = bestValidation(history);
    const metrics = await readMetricsFile(path.join(target.folder, 'metrics.jsonl'));
    const records = metrics?.records ?? [];
    Object.assign(entry, {
      class: contents.arch.class,
      args: contents.arch.args,
      parameters: contents.weights.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0),
      epoch,
      bestValAccuracy: best?.accuracy ?? null,
      bestEpoch: best?.epoch ?? null,
    });
    // the bundle's own history travels with it; metrics.jsonl and run.json only when it has no timings
    const fromBundle = trainingSeconds(history, epoch);
    const fromMetrics = fromBundle === null ? trainingSeconds(records, epoch) : null;
    if (fromBundle !== null) Object.assign(entry, { trainSeconds: fromBundle, timeFrom: 'bundle' });
    else if (fromMetrics !== null) Object.assign(entry, { trainSeconds: fromMetrics, timeFrom: 'metrics.jsonl' });
    const recorded = recordedTestAccuracy(records, epoch);
    if (recorded !== null) Object.assign(entry, { testAccuracy: recorded, testFrom: 'metrics.jsonl' });
    entry.finalTest = finalTest(records);
    if (evaluate) Object.assign(entry, { testAccuracy: await evaluateAccuracy(target.bundle, target.name, evaluate), testFrom: 'evaluated' });
    return { entry };
  } catch (error) {
    if (!(error instanceof ArchbundleError)) throw error;
    return { entry, problem: { name: target.name, code: error.code, message: error.message } };
  }
}

function pick(run: NonNullable<CompareTarget['run']>): { reason?: string; code?: string } {
  return { ...(run.reason !== undefined ? { reason: run.reason } : {}), ...(run.code !== undefined ? { code: run.code } : {}) };
}

/** Test accuracy as `archbundle eval` computes it (same data choice, same scaling, same loop); TF.js is loaded only here. */
async function evaluateAccuracy(file: string, shown: string, options: EvaluateOptions): Promise<number> {
  const [{ State }, { trainingFactories }, { evaluateSplit }, { loadEvalData }] = await Promise.all([
    import('../state.js'),
    import('../../tfjs/train/factories.js'),
    import('../../tfjs/train/evaluate.js'),
    import('../cli/eval-data.js'),
  ]);
  const state = await State.load(file, { factories: trainingFactories });
  try {
    const { dataset, split } = await loadEvalData(state, shown, { data: options.data, dataDir: options.dataDir, limit: options.limit, command: 'compare' });
    return evaluateSplit(state.model, split, dataset.resolution, dataset.classes, options.batchSize, state.input?.pixels).accuracy;
  } finally {
    state.optimizer?.dispose();
    state.model.dispose();
  }
}
