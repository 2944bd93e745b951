/**
 * The data buffer's layout rule, as in the crate: sorted by offset, the tensors tile the
 * buffer exactly, first at 0, each beginning where the previous one ended, the last ending at the
 * buffer's end. No gap and no overlap means no byte is unaccounted for (no polyglot files) and
 * no byte is read as two tensors.
 */
import type { Issue } from '../errors.js';
import { escapePointer } from '../validate.js';
import { headerError, type HeaderEntry } from './header.js';

/** The entries in offset order, after checking that they cover `dataLength` bytes exactly. */
export function layOut(entries: readonly HeaderEntry[], dataLength: number): HeaderEntry[] {
  // The crate accepts the header's keys in any order and sorts by (begin, end); ties (empty
  // tensors at one offset) are broken by name so that the order does not depend on the key order.
  const ordered = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const issues: Issue[] = [];
  let end = 0;
  // The tensor that reaches furthest so far; after an overlap it need not be the one just seen.
  let previous: HeaderEntry | undefined;
  for (const entry of ordered) {
    const at = `/${escapePointer(entry.name)}/data_offsets`;
    const of = `tensor ${JSON.stringify(entry.name)}`;
    if (entry.begin < end) {
      issues.push({ pointer: at, keyword: 'overlap', message: `${of} begins at byte ${entry.begin}, inside tensor ${JSON.stringify(previous!.name)} which ends at ${end}: tensors must not overlap` });
    } else if (entry.begin > end) {
      const expected = previous ? `where tensor ${JSON.stringify(previous.name)} ends, ${end}` : 'at 0, the start of the data buffer';
      issues.push({ pointer: at, keyword: 'gap', message: `${of} must begin ${expected}, received ${entry.begin}: the bytes between belong to no tensor` });
    }
    if (entry.end >= end) {
      end = entry.end;
      previous = entry;
    }
  }
  if (issues.length > 0) throw headerError(issues, 'safetensors header lays the data buffer out wrongly');
  if (end > dataLength) {
    const at = `/${escapePointer(previous!.name)}/data_offsets`;
    throw headerError(
      [{ pointer: at, keyword: 'truncated', message: `tensor ${JSON.stringify(previous!.name)} ends at byte ${end} of the data buffer, but the file holds only ${dataLength} bytes of data` }],
      'safetensors file is truncated',
      'E_TRUNCATED',
    );
  }
  if (end < dataLength) {
    const last = previous ? `the last tensor, ${JSON.stringify(previous.name)}, ends at ${end}` : 'no tensor is declared';
    const issue = { pointer: '', keyword: 'trailing', message: `the data buffer has ${dataLength} bytes but ${last}: ${dataLength - end} trailing bytes belong to no tensor` };
    throw headerError([issue], 'safetensors file has trailing bytes');
  }
  return ordered;
}
