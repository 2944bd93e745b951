/**
 * Sweeps in Node: load a sweep file into validated runs, train one run into its folder,
 * rebuild the sweep's index. The local runner (`archbundle sweep`) and the queue's workers
 * are both built on these.
 */
export { loadSweep, type LoadSweepOptions } from './load-sweep.js';
export { runOne, type RunEvent, type RunOneOptions, type RunOutcome } from './run-one.js';
export { claimOutput, readSweepIndex, refreshIndex, INDEX_FILE } from './index-file.js';
export { queuedRecord, readRunRecord, runFolder, writeRunRecord, RUN_FILE } from './run-record.js';
export { newestEpochBundle, removeStaleTemps, trimMetrics } from './run-folder.js';
export { SWEEP_SCHEMA_PATH, sweepSchema } from './sweep-schema.js';
export type { Assignment, ExpandedRun, ResolvedRun, ResolvedSweep, RunRecord, RunState, RunSummary, SweepFile, SweepIndex } from '../../core/sweep/types.js';
