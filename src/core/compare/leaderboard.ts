/**
 * `archbundle compare`'s leaderboard, from plain per-bundle summaries: which columns to show
 * (the sweep's axes, then the model arguments whose values differ between rows, as dot paths),
 * and the rows in the order asked for. Portable: it knows no architecture, no file system and
 * no TF.js; the Node side reads the bundles and fills in `LeaderboardEntry`.
 */
import { canonicalJson } from '../bundle/canonical-json.js';

/** Where a row's test accuracy came from. */
export type TestSource = 'evaluated' | 'metrics.jsonl';
/** Where a row's training time came from. */
export type TimeSource = 'bundle' | 'metrics.jsonl' | 'run.json';

/** A sweep run's record as compare shows it (from run.json, else sweep.json). */
export interface LeaderboardRun {
  id: string;
  state: string;
  reason?: string;
  code?: string;
  axes: Record<string, unknown>;
}

/** One row: a bundle (or a sweep run that has none yet). */
export interface LeaderboardEntry {
  /** The bundle as named on the command line or found in a folder, or the run's folder. */
  name: string;
  /** Null for a sweep run without a bundle (queued, or failed before its first checkpoint). */
  bundle: string | null;
  class: string | null;
  args: Record<string, unknown> | null;
  parameters: number | null;
  /** Epochs trained up to the bundle. */
  epoch: number | null;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  testAccuracy: number | null;
  testFrom: TestSource | null;
  /** The test accuracy metrics.jsonl recorded at the end of the run's training, and its epoch (maybe later than the bundle's). */
  finalTest: { accuracy: number; epoch: number } | null;
  trainSeconds: number | null;
  timeFrom: TimeSource | null;
  run?: LeaderboardRun;
}

export type SortDirection = 'asc' | 'desc';
export interface SortKey {
  column: string;
  direction: SortDirection;
}

/** The fixed columns, by the names --sort takes. */
export const FIXED_COLUMNS = ['name', 'class', 'params', 'epochs', 'val', 'test', 'final', 'time', 'state'] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** Higher is better for these, so they sort descending unless told otherwise. */
const DESCENDING_BY_DEFAULT = new Set<string>(['val', 'test', 'final']);

export interface LeaderboardRow extends LeaderboardEntry {
  /** 1-based place in the sorted order. */
  rank: number;
  /** The differing arguments' values (dot path → value; absent when the row's model has no such argument). */
  arguments: Record<string, unknown>;
}

export interface Leaderboard {
  /** The sweep axes shown as columns (key paths as `--set` takes them). */
  axes: string[];
  /** Model-argument dot paths whose values differ between rows. */
  arguments: string[];
  sort: SortKey;
  rows: LeaderboardRow[];
}

/**
 * Parses `--sort COLUMN[:asc|:desc]`. COLUMN is a fixed column, an axis or a differing
 * argument's dot path; accuracies default to descending, everything else to ascending.
 * Returns an error sentence instead of throwing, so the CLI can make it a usage error.
 */
export function parseSortKey(text: string, columns: readonly string[]): SortKey | string {
  const match = /^(.+?)(?::(asc|desc))?$/.exec(text);
  const column = match?.[1] ?? '';
  if (!columns.includes(column)) return `--sort: unknown column "${column}"; expected one of ${columns.join(', ')} (optionally followed by :asc or :desc)`;
  const direction = (match?.[2] as SortDirection | undefined) ?? (DESCENDING_BY_DEFAULT.has(column) ? 'desc' : 'asc');
  return { column, direction };
}

/**
 * Without --sort: test accuracy when every bundle has one, else best validation accuracy (a
 * run's best.archbundle often predates the test evaluation at the end of training), best first.
 */
export function defaultSortKey(entries: readonly LeaderboardEntry[]): SortKey {
  const bundles = entries.filter((e) => e.bundle !== null);
  return bundles.length > 0 && bundles.every((e) => e.testAccuracy !== null) ? { column: 'test', direction: 'desc' } : { column: 'val', direction: 'desc' };
}

/** Every column --sort accepts for these entries. */
export function sortableColumns(entries: readonly LeaderboardEntry[], axes: readonly string[]): string[] {
  return [...FIXED_COLUMNS, ...axes, ...differingArguments(entries).filter((p) => !axes.includes(`model.args.${p}`))];
}

/**
 * The leaves of `value` as dot paths (`{a: {b: 1}}` → `a.b`). Arrays and null are leaves: a
 * resolution `[1, 28, 28]` is one argument, not three.
 */
export function flattenPaths(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && Object.keys(inner).length > 0) {
      Object.assign(out, flattenPaths(inner as Record<string, unknown>, at));
    } else out[at] = inner;
  }
  return out;
}

/** Dot paths of the model arguments whose values are not the same in every row that has a model (absent counts as a value). */
export function differingArguments(entries: readonly LeaderboardEntry[]): string[] {
  const flat = entries.filter((e) => e.args !== null).map((e) => flattenPaths(e.args!));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return paths.filter((p) => new Set(flat.map((f) => (p in f ? canonicalJson(f[p]) : 'absent'))).size > 1);
}

export function buildLeaderboard(entries: readonly LeaderboardEntry[], options: { axes?: readonly string[]; sort?: SortKey } = {}): Leaderboard {
  const axes = [...(options.axes ?? [])];
  // an argument a sweep axis sets (model.args.channels) is shown once, as the axis
  const argumentPaths = differingArguments(entries).filter((p) => !axes.includes(`model.args.${p}`));
  const sort = options.sort ?? defaultSortKey(entries);
  const rows = entries.map((entry) => {
    const flat = entry.args ? flattenPaths(entry.args) : {};
    const args: Record<string, unknown> = {};
    for (const p of argumentPaths) if (p in flat) args[p] = flat[p];
    return { ...entry, rank: 0, arguments: args };
  });
  const value = (row: LeaderboardRow) => cellValue(row, sort.column, axes);
  // stable: rows that tie keep the order they were given in
  const sorted = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => compareValues(value(a.row), value(b.row), sort.direction) || a.index - b.index)
    .map(({ row }, i) => ({ ...row, rank: i + 1 }));
  return { axes, arguments: argumentPaths, sort, rows: sorted };
}

/** The value a row sorts by in `column` (undefined: nothing to show, sorted last). */
export function cellValue(row: LeaderboardRow, column: string, axes: readonly string[]): unknown {
  switch (column as FixedColumn) {
    case 'name':
      return row.name;
    case 'class':
      return row.class ?? undefined;
    case 'params':
      return row.parameters ?? undefined;
    case 'epochs':
      return row.epoch ?? undefined;
    case 'val':
      return row.bestValAccuracy ?? undefined;
    case 'test':
      return row.testAccuracy ?? undefined;
    case 'final':
      return row.finalTest?.accuracy;
    case 'time':
      return row.trainSeconds ?? undefined;
    case 'state':
      return row.run?.state;
  }
  if (axes.includes(column)) return row.run?.axes[column];
  return row.arguments[column];
}

/** Numbers by value, everything else by its JSON text in natural order; missing values last in either direction. */
function compareValues(a: unknown, b: unknown, direction: SortDirection): number {
  const missingA = a === undefined || a === null;
  const missingB = b === undefined || b === null;
  if (missingA || missingB) return Number(missingA) - Number(missingB);
  const order =
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : (typeof a === 'string' ? a : JSON.stringify(a)).localeCompare(typeof b === 'string' ? b : JSON.stringify(b), 'en', { numeric: true });
  return direction === 'asc' ? order : -order;
}
