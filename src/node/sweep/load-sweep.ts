/**
 * A sweep file → every run's validated config, id and folder. Nothing runs until every run's
 * config has passed: all problems are collected and thrown at once, each pointing into the
 * sweep file at the axis value that caused it (or into the base config when no axis did).
 */
import path from 'node:path';
import type { TrainConfig } from '../../core/config.js';
import { ArchbundleError, ValidationError, type Issue } from '../../core/errors.js';
import { blameIssue } from '../../core/sweep/blame.js';
import { describeAssignments, expandSweep, sweepAxes, sweepFileIssues } from '../../core/sweep/expand.js';
import { parseKeyPath, setKeyPath } from '../../core/sweep/key-path.js';
import { runId, sweepId } from '../../core/sweep/run-id.js';
import type { ExpandedRun, ResolvedRun, ResolvedSweep } from '../../core/sweep/types.js';
import { findConfig } from '../config/find.js';
import { resolveConfig } from '../config/load.js';
import { readSweepFile } from './read-sweep-file.js';

export interface LoadSweepOptions {
  /** Output folder (relative to cwd), instead of the sweep file's or the base config's. */
  output?: string;
  cwd?: string;
}

export async function loadSweep(file: string, options: LoadSweepOptions = {}): Promise<ResolvedSweep> {
  const cwd = options.cwd ?? process.cwd();
  const sweepFile = path.resolve(cwd, file);
  const sweep = await readSweepFile(sweepFile);
  const subject = `runs of sweep file ${sweepFile}`;
  const fileIssues = sweepFileIssues(sweep);
  if (fileIssues.length > 0) throw new ValidationError('E_INVALID_CONFIG', subject, fileIssues);

  const base = await loadBase(sweep.base, sweepFile);
  const expanded = expandSweep(sweep);
  const issues = new IssueList(expanded.length);
  const resolved: { run: ExpandedRun; config: TrainConfig; id: string }[] = [];
  for (const run of expanded) {
    const config = await resolveRun(run, base, issues);
    if (config) resolved.push({ run, config, id: await runId(config) });
  }
  const seen = new Map<string, ExpandedRun>();
  for (const { run, id } of resolved) {
    const first = seen.get(id);
    if (!first) seen.set(id, run);
    else issues.duplicate(run, first);
  }
  if (issues.list.length > 0) throw new ValidationError('E_INVALID_CONFIG', subject, issues.list);

  const output = options.output
    ? path.resolve(cwd, options.output)
    : sweep.output
      ? path.resolve(path.dirname(sweepFile), sweep.output)
      : resolved[0]!.config.output;
  const runs: ResolvedRun[] = resolved.map(({ run, config, id }) => ({
    id,
    axes: Object.fromEntries(run.assignments.map((a) => [a.path, a.value])),
    config: { ...config, output: path.join(output, id) },
  }));
  return { id: await sweepId(runs.map((r) => r.id)), file: sweepFile, output, axes: sweepAxes(sweep), runs };
}

interface Base {
  raw: Record<string, unknown>;
  /** The file its relative paths are resolved against: the base config file, or the sweep file for an inline base. */
  filepath: string;
  /** Pointer prefix (inline base, "/base") or file name (a base file) for issues no axis caused. */
  where: { inline: true } | { inline: false; file: string };
}

async function loadBase(base: string | Record<string, unknown>, sweepFile: string): Promise<Base> {
  if (typeof base !== 'string') return { raw: base, filepath: sweepFile, where: { inline: true } };
  const { raw, filepath } = await findConfig({ file: base, cwd: path.dirname(sweepFile) });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('E_INVALID_CONFIG', `settings in ${filepath}`, [
      { pointer: '', keyword: 'type', message: `must be an object, received ${Array.isArray(raw) ? 'array' : typeof raw}` },
    ]);
  }
  return { raw: raw as Record<string, unknown>, filepath, where: { inline: false, file: filepath } };
}

/** The run's config (validated, defaults filled, arguments completed), or null after adding its issues. */
async function resolveRun(run: ExpandedRun, base: Base, issues: IssueList): Promise<TrainConfig | null> {
  const raw = structuredClone(base.raw);
  let applied = true;
  for (const assignment of run.assignments) {
    const blocked = setKeyPath(raw, parseKeyPath(assignment.path)!, assignment.value);
    if (blocked !== null) {
      applied = false;
      issues.add(run, {
        pointer: assignment.pointer,
        keyword: 'key-path',
        message: `cannot set ${assignment.path}: "${blocked}" in the base config is not an object`,
      });
    }
  }
  if (!applied) return null;
  try {
    return (await resolveConfig(raw, base.filepath)).config;
  } catch (error) {
    if (!(error instanceof ArchbundleError)) throw error;
    const found: Issue[] = error.issues.length > 0 ? [...error.issues] : [{ pointer: '', keyword: error.code, message: error.message }];
    for (const issue of found) {
      const blame = blameIssue(issue.pointer, run.assignments);
      const configPlace = `${issue.pointer || '/'} ${issue.message}`;
      if (blame) {
        issues.add(run, { pointer: blame.pointer, keyword: issue.keyword, message: `config ${configPlace}` });
      } else if (base.where.inline) {
        issues.add(run, { pointer: `/base${issue.pointer}`, keyword: issue.keyword, message: `base config ${configPlace}` });
      } else {
        issues.add(run, { pointer: '/base', keyword: issue.keyword, message: `base config ${base.where.file} ${configPlace}` });
      }
    }
    return null;
  }
}

/**
 * Issues named by run ("run 3 of 8 (model.class=\"ResNet\", seed=0): ..."); the same problem at
 * the same place in many runs is listed once with the count of the other runs it affects.
 */
class IssueList {
  private readonly byKey = new Map<string, { issue: Issue; first: ExpandedRun; others: number }>();

  constructor(private readonly total: number) {}

  add(run: ExpandedRun, issue: Issue): void {
    const key = `${issue.pointer}\n${issue.message}`;
    const known = this.byKey.get(key);
    if (known) known.others += 1;
    else this.byKey.set(key, { issue, first: run, others: 0 });
  }

  duplicate(run: ExpandedRun, first: ExpandedRun): void {
    const differing = run.assignments.find((a) => !first.assignments.some((b) => b.path === a.path && JSON.stringify(b.value) === JSON.stringify(a.value)));
    const pointer = differing?.pointer ?? run.assignments.at(-1)?.pointer ?? '';
    this.add(run, {
      pointer,
      keyword: 'duplicate-run',
      message: `resolves to the same config as run ${first.index + 1} (${describeAssignments(first.assignments)}), so it would train the same run twice`,
    });
  }

  get list(): Issue[] {
    return [...this.byKey.values()].map(({ issue, first, others }) => ({
      ...issue,
      message:
        `in run ${first.index + 1} of ${this.total} (${describeAssignments(first.assignments)})` +
        `${others > 0 ? ` and ${others} other run${others > 1 ? 's' : ''}` : ''}: ${issue.message}`,
    }));
  }
}
