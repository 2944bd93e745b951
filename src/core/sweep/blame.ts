/**
 * Which value of a sweep file made a run's config invalid: an issue found at a pointer into the
 * resolved config is traced back to the axis value that wrote there (or that lies inside the
 * invalid part, or whose class decides how the arguments there are checked), so the error can
 * point into the sweep file, e.g. "/grid/optimizer.args.learningRate/1".
 */
import { keyPathPointer, parseKeyPath, pointerWithin } from './key-path.js';
import type { Assignment } from './types.js';

export interface Blame {
  /** Pointer into the sweep file: an axis value's, extended into it when the issue lies deeper. */
  pointer: string;
  assignment: Assignment;
}

export function blameIssue(issuePointer: string, assignments: readonly Assignment[]): Blame | null {
  // the last assignment wins, as it did when the config was built
  for (const assignment of [...assignments].reverse()) {
    const at = keyPathPointer(parseKeyPath(assignment.path) ?? []);
    if (pointerWithin(issuePointer, at)) return { pointer: assignment.pointer + issuePointer.slice(at.length), assignment };
  }
  for (const assignment of [...assignments].reverse()) {
    const at = keyPathPointer(parseKeyPath(assignment.path) ?? []);
    if (pointerWithin(at, issuePointer)) return { pointer: assignment.pointer, assignment };
  }
  // a class chosen by an axis decides how its arguments are checked
  for (const assignment of [...assignments].reverse()) {
    const at = keyPathPointer(parseKeyPath(assignment.path) ?? []);
    if (!at.endsWith('/class')) continue;
    const args = `${at.slice(0, -'/class'.length)}/args`;
    if (pointerWithin(issuePointer, args)) return { pointer: assignment.pointer, assignment };
  }
  return null;
}
