/** Checks that several architectures share, for constraints a JSON Schema can't express. TF.js-free. */
import type { Issue } from './errors.js';
import { groupCount } from './group-count.js';

/** Height and width must be at least `min` (pointers /resolution/1 and /resolution/2). */
export function minimumSizeIssues(className: string, resolution: readonly number[], min: number, why: string): Issue[] {
  const issues: Issue[] = [];
  resolution.slice(1).forEach((size, i) => {
    if (size < min) {
      issues.push({
        pointer: `/resolution/${i + 1}`,
        keyword: 'minimum-size',
        message: `${className} needs ${i === 0 ? 'height' : 'width'} >= ${min} (${why}), received ${size}`,
      });
    }
  });
  return issues;
}

/** With group norm, every normalised width must have a group count under the reference implementation's
 * rule (one issue at /channels). */
export function groupCountIssues(normalization: string, widths: Iterable<number>): Issue[] {
  if (normalization !== 'gn') return [];
  for (const width of widths) {
    try {
      groupCount(width);
    } catch (error) {
      return [{ pointer: '/channels', keyword: 'group-count', message: (error as Error).message }];
    }
  }
  return [];
}
