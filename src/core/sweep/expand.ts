/**
 * A sweep file's runs: every combination of the grid's values, for each explicit `runs` entry
 * (a file without `runs` has one empty entry; one without `grid` one empty combination). Each
 * run keeps where each of its values came from, so an error in its config can point there.
 */
import type { Issue } from '../errors.js';
import { escapePointer } from '../validate.js';
import { parseKeyPath } from './key-path.js';
import type { Assignment, ExpandedRun, SweepFile } from './types.js';

export function expandSweep(file: SweepFile): ExpandedRun[] {
  const axes = Object.entries(file.grid ?? {});
  let combinations: Assignment[][] = [[]];
  for (const [path, values] of axes) {
    const next: Assignment[][] = [];
    for (const combination of combinations) {
      values.forEach((value, i) => next.push([...combination, { path, value, pointer: `/grid/${escapePointer(path)}/${i}` }]));
    }
    combinations = next;
  }
  const entries = file.runs ?? [{}];
  const expanded: ExpandedRun[] = [];
  entries.forEach((entry, r) => {
    const fixed: Assignment[] = Object.entries(entry).map(([path, value]) => ({
      path,
      value,
      pointer: `/runs/${r}/${escapePointer(path)}`,
    }));
    for (const combination of combinations) expanded.push({ index: expanded.length, assignments: [...combination, ...fixed] });
  });
  return expanded;
}

/** The key paths a sweep varies: grid axes first, then the runs' keys, each once, in order of appearance. */
export function sweepAxes(file: SweepFile): string[] {
  const paths = new Set(Object.keys(file.grid ?? {}));
  for (const entry of file.runs ?? []) for (const path of Object.keys(entry)) paths.add(path);
  return [...paths];
}

/**
 * What the schema cannot say about a sweep file: key paths `--set` would refuse (and `output`,
 * which the sweep sets for each run), and a key set
 * both by the grid and by a runs entry (which of the two would win is not obvious, so neither does).
 */
export function sweepFileIssues(file: SweepFile): Issue[] {
  const issues: Issue[] = [];
  const checkPath = (path: string, pointer: string) => {
    const keys = parseKeyPath(path);
    if (!keys) {
      issues.push({ pointer, keyword: 'key-path', message: `must be a key path like optimizer.args.learningRate, received ${JSON.stringify(path)}` });
    } else if (keys[0] === 'output') {
      // every run's folder is <sweep output>/<run id>; the sweep's output is set once, by "output" or --output
      issues.push({ pointer, keyword: 'key-path', message: 'must not vary output: the sweep puts each run in <output>/<run id>; set the sweep\'s "output" instead' });
    }
  };
  const grid = file.grid ?? {};
  for (const path of Object.keys(grid)) checkPath(path, `/grid/${escapePointer(path)}`);
  (file.runs ?? []).forEach((entry, r) => {
    for (const path of Object.keys(entry)) {
      const pointer = `/runs/${r}/${escapePointer(path)}`;
      checkPath(path, pointer);
      if (Object.hasOwn(grid, path)) {
        issues.push({ pointer, keyword: 'grid-overlap', message: `sets ${path}, which the grid also varies (/grid/${escapePointer(path)}); keep it in one place` });
      }
    }
  });
  return issues;
}

/** "model.class=\"MLP\", seed=0": a run named by its values, for messages. */
export function describeAssignments(assignments: readonly Pick<Assignment, 'path' | 'value'>[]): string {
  if (assignments.length === 0) return 'the base config';
  return assignments.map((a) => `${a.path}=${JSON.stringify(a.value)}`).join(', ');
}
