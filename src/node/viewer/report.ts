/**
 * `archbundle report`'s data (`ReportData`): for each bundle its summary (loaded with `loadLive`,
 * every check of the reader, and summarised as the viewer does in the browser), the run's
 * metrics.jsonl beside it, an evaluation when a dataset is named, and the per-tensor change of
 * every ordered pair. A bundle that cannot be read fails the whole report with its code.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileDatasetName } from '../../core/config.js';
import { EnvironmentError } from '../../core/errors.js';
import type { BundleComparison, ReportBundle, ReportData, SessionRun } from '../../core/viewer-protocol.js';
import { loadLive } from '../../tfjs/bundle/load-live.js';
import { summarizeBundle, weightValues } from '../../tfjs/summary/summarize.js';
import { compareTensors, type NamedValues } from '../../tfjs/summary/tensor-change.js';
import { trainingFactories } from '../../tfjs/train/factories.js';
import { openBundleFile } from '../files/bundle-file.js';
import { discover } from './discover.js';
import { evaluateBundle } from './evaluate.js';

export interface ReportOptions {
  /** Bundle files, relative to `cwd`. */
  files: string[];
  cwd: string;
  title: string;
  /** Evaluate every bundle on this dataset's test split. */
  data?: FileDatasetName;
  dataDir?: string | null;
  /** Evaluate on the first `limit` test examples only. */
  limit?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** The time written into the report (tests pin it). */
  now?: Date;
}

export async function reportData(options: ReportOptions): Promise<ReportData> {
  const log = options.log ?? (() => undefined);
  const bundles: ReportBundle[] = [];
  const weights: NamedValues[][] = [];
  const found = await discover(options.files, options.cwd);
  for (const file of options.files) {
    const absolute = path.resolve(options.cwd, file);
    const info = await stat(absolute);
    if (!info.isFile()) throw new EnvironmentError('E_IO', `cannot report on ${file}: expected a bundle file, received a folder`);
    const loaded = await loadLive(await openBundleFile(absolute), { factories: trainingFactories });
    let entry: ReportBundle;
    try {
      entry = { summary: summarizeBundle(loaded, { name: path.basename(file), bytes: info.size }) };
      // copied: on the cpu backend the values are the model's own storage, freed with it
      weights.push(weightValues(loaded).map((w) => ({ ...w, values: Float32Array.from(w.values) })));
    } finally {
      loaded.optimizer?.dispose();
      loaded.model.dispose();
    }
    const run = runOf(found, absolute);
    if (run) entry.run = run;
    log(`${file}: ${entry.summary.class}, ${entry.summary.parameters.toLocaleString('en-US')} parameters${run ? `, ${run.metrics.length} metrics records` : ''}`);
    if (options.data !== undefined) {
      entry.evaluation = await evaluateBundle(absolute, { dataset: options.data, dataDir: options.dataDir ?? null, limit: options.limit, command: 'report' });
      log(`${file}: ${(entry.evaluation.accuracy * 100).toFixed(2)}% on ${entry.evaluation.examples.toLocaleString('en-US')} ${entry.evaluation.dataset} test examples`);
    }
    bundles.push(entry);
  }
  const data: ReportData = { title: options.title, generated: (options.now ?? new Date()).toISOString(), bundles };
  if (bundles.length > 1) data.comparisons = comparisons(weights);
  return data;
}

/** The run of the folder holding `file`, when that folder has a metrics.jsonl with records. */
function runOf(found: Awaited<ReturnType<typeof discover>>, file: string): SessionRun | undefined {
  const id = found.bundles.find((b) => b.file === file)?.run;
  const run = found.runs.find((r) => r.id === id);
  return run && run.metrics.length > 0 ? run : undefined;
}

/** Every ordered pair (reference, other), as the compare page lets either bundle be the reference. */
function comparisons(weights: NamedValues[][]): BundleComparison[] {
  const out: BundleComparison[] = [];
  weights.forEach((reference, r) =>
    weights.forEach((other, o) => {
      if (r !== o) out.push({ reference: r, other: o, ...compareTensors(other, reference) });
    }),
  );
  return out;
}
