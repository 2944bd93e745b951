/**
 * A run's metrics.jsonl as the viewer shows it. Training appends one JSON object per epoch
 * (`{"type":"epoch", ...}`) and, at the end, one for the test split (`{"type":"test", ...}`);
 * see src/node/train/session.ts. A run may still be training when it is viewed, so a last line
 * cut short, or any line that is not a JSON object, is skipped with a note instead of failing.
 */
import { readTextIfExists } from '../files/read-if-exists.js';

export type MetricsRecord = Record<string, number | null>;

export interface MetricsFile {
  records: MetricsRecord[];
  /** One line per skipped line, for the server's log. */
  skipped: string[];
}

/** Keys that place a record in the run rather than measure something; never prefixed. */
const POSITION_KEYS = new Set(['epoch', 'step']);

/**
 * Reads `file` (null when it does not exist). Epoch records keep their numeric fields as they are;
 * a record of another type (the final "test" record) has its measures prefixed with the type
 * (`test_loss`, `test_accuracy`) so it cannot be mistaken for the epoch's training loss.
 * String fields are dropped: `SessionRun.metrics` holds numbers only.
 */
export async function readMetricsFile(file: string): Promise<MetricsFile | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  const records: MetricsRecord[] = [];
  const skipped: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skipped.push(`${file}:${index + 1}: not JSON (a line cut short while training writes it?), skipped`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      skipped.push(`${file}:${index + 1}: expected a JSON object, received ${Array.isArray(value) ? 'an array' : typeof value}; skipped`);
      return;
    }
    records.push(metricsRecord(value as Record<string, unknown>));
  });
  return { records, skipped };
}

function metricsRecord(value: Record<string, unknown>): MetricsRecord {
  const type = typeof value.type === 'string' ? value.type : 'epoch';
  const prefix = type === 'epoch' ? '' : `${type}_`;
  const record: MetricsRecord = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'type') continue;
    if (field !== null && (typeof field !== 'number' || !Number.isFinite(field))) continue;
    record[POSITION_KEYS.has(key) ? key : `${prefix}${key}`] = field;
  }
  return record;
}
