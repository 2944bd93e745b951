/**
 * A run's metrics records as chart data. A bundle's history holds one record per epoch; the
 * server's `SessionRun.metrics` also holds the run's final test result, whose measures it prefixes
 * (`test_loss`, `test_accuracy`, `test_count`) so that they never pass for an epoch's.
 */
export type MetricRecord = Record<string, number | null>;

export const METRIC_GROUPS = [
  { chart: 'loss', title: 'Loss', keys: ['loss', 'val_loss'] },
  { chart: 'accuracy', title: 'Accuracy', keys: ['accuracy', 'val_accuracy'] },
  { chart: 'learning-rate', title: 'Learning rate', keys: ['learningRate'] },
] as const;

function isTest(record: MetricRecord): boolean {
  return Object.keys(record).some((k) => k.startsWith('test_'));
}

/** The per-epoch records. */
export function epochRecords(records: readonly MetricRecord[]): MetricRecord[] {
  return records.filter((r) => !isTest(r));
}

/** The test results (the main job's final evaluation). */
export function testRecords(records: readonly MetricRecord[]): MetricRecord[] {
  return records.filter(isTest);
}

/** The x of each record: its epoch, or its position (from 1) when it has none. */
export function epochsOf(records: readonly MetricRecord[]): number[] {
  return records.map((r, i) => (typeof r.epoch === 'number' ? r.epoch : i + 1));
}

/** One metric's values aligned with the records; null where a record lacks it. */
export function valuesOf(records: readonly MetricRecord[], key: string): (number | null)[] {
  return records.map((r) => (typeof r[key] === 'number' ? r[key] : null));
}

export function hasValues(values: readonly (number | null)[]): boolean {
  return values.some((v) => v !== null);
}
