/**
 * Figures `compare` takes from a training record: a bundle's own history (training.metrics, one
 * object per epoch) or a run's metrics.jsonl (epoch records, then a test record per finished
 * training; a resumed run may append an epoch again, and the last record of an epoch wins).
 */

export type MetricsRecord = Record<string, number | null | undefined>;

/** The epoch with the highest val_accuracy (the first of equals), or null when none has one. */
export function bestValidation(history: readonly MetricsRecord[]): { accuracy: number; epoch: number } | null {
  let best: { accuracy: number; epoch: number } | null = null;
  for (const record of lastPerEpoch(history)) {
    const accuracy = record.val_accuracy;
    if (typeof accuracy === 'number' && Number.isFinite(accuracy) && (!best || accuracy > best.accuracy)) {
      best = { accuracy, epoch: record.epoch as number };
    }
  }
  return best;
}

/**
 * Seconds spent training epochs 1..epoch, summed from the records' `seconds`; null unless every
 * one of those epochs has a record with seconds (a partial sum would understate the time).
 */
export function trainingSeconds(history: readonly MetricsRecord[], epoch: number): number | null {
  const byEpoch = new Map(lastPerEpoch(history).map((r) => [r.epoch as number, r]));
  let total = 0;
  for (let e = 1; e <= epoch; e += 1) {
    const seconds = byEpoch.get(e)?.seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
    total += seconds;
  }
  return epoch > 0 ? total : null;
}

/** The test accuracy metrics.jsonl recorded after `epoch` (its `test_accuracy` record of that epoch), or null. */
export function recordedTestAccuracy(records: readonly MetricsRecord[], epoch: number): number | null {
  let found: number | null = null;
  for (const record of records) {
    const accuracy = record.test_accuracy;
    if (record.epoch === epoch && typeof accuracy === 'number' && Number.isFinite(accuracy)) found = accuracy;
  }
  return found;
}

/**
 * The run's last test record: the evaluation at the end of its training, which may be later than
 * the bundle compared (a best.archbundle from an earlier epoch).
 */
export function finalTest(records: readonly MetricsRecord[]): { accuracy: number; epoch: number } | null {
  let found: { accuracy: number; epoch: number } | null = null;
  for (const record of records) {
    const accuracy = record.test_accuracy;
    if (typeof record.epoch === 'number' && typeof accuracy === 'number' && Number.isFinite(accuracy)) found = { accuracy, epoch: record.epoch };
  }
  return found;
}

/** Epoch records (those with a numeric epoch and no test figures), the last one of each epoch, in epoch order. */
function lastPerEpoch(history: readonly MetricsRecord[]): MetricsRecord[] {
  const byEpoch = new Map<number, MetricsRecord>();
  for (const record of history) {
    if (typeof record.epoch === 'number' && !('test_accuracy' in record)) byEpoch.set(record.epoch, record);
  }
  return [...byEpoch.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}
