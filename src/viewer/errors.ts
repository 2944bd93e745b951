/**
 * A bundle that cannot be shown shows why: the reader's code, its message and the issues (JSON
 * pointers) in a panel, never a blank page. Anything thrown becomes a `ShownError` first.
 */
import type { Issue } from '../core/errors.js';
import { h } from './dom.js';

export interface ShownError {
  code: string;
  message: string;
  issues: readonly Issue[];
}

/** Archbundle's errors keep their code; anything else (a bug, a browser refusal) is E_VIEWER. */
export function shownError(error: unknown): ShownError {
  const e = error as { code?: unknown; message?: unknown; issues?: unknown };
  const code = typeof e?.code === 'string' && /^E_[A-Z0-9_]+$/.test(e.code) ? e.code : 'E_VIEWER';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const issues = Array.isArray(e?.issues) ? (e.issues as Issue[]) : [];
  return { code, message, issues };
}

/** The panel for a bundle that failed; `name` is the file's. */
export function errorPanel(name: string, error: ShownError): HTMLElement {
  return h(
    'section',
    { class: 'card error-panel', role: 'alert', 'data-testid': 'error', 'data-code': error.code },
    h('h2', {}, h('span', { class: 'error-code' }, error.code), ' ', name),
    h('p', { class: 'error-message' }, error.message),
    error.issues.length
      ? h(
          'ul',
          { class: 'issues' },
          ...error.issues.map((issue) => h('li', {}, h('code', {}, issue.pointer || '/'), ' ', issue.message, issue.keyword ? h('span', { class: 'muted' }, ` (${issue.keyword})`) : null)),
        )
      : null,
  );
}

/** Up to this many failed bundles show their panels outright; more fold into one summary. */
const SHOWN_OPEN = 2;
/** Whether the user opened the summary: the shell redraws it as each bundle loads, and it stays as left. */
let expanded = false;

/**
 * The panels of the bundles that failed. A few stand above the page as they are; many would push
 * the page of a good bundle off the first screen, so they fold into one line ("3 bundles could
 * not be read", their codes) that opens to the same panels — in the document either way.
 */
export function problemsView(failed: readonly { name: string; error: ShownError }[]): HTMLElement[] {
  const panels = failed.map((f) => errorPanel(f.name, f.error));
  if (failed.length <= SHOWN_OPEN) return panels;
  const counts = new Map<string, number>();
  for (const f of failed) counts.set(f.error.code, (counts.get(f.error.code) ?? 0) + 1);
  const codes = [...counts].map(([code, n]) => (n > 1 ? `${code} ×${n}` : code)).join(', ');
  const details = h(
    'details',
    { class: 'card problems-summary', 'data-testid': 'errors-summary', open: expanded },
    h('summary', {}, h('strong', {}, `${failed.length} bundles could not be read`), ' ', h('span', { class: 'error-codes' }, codes)),
    h('div', { class: 'problems-list' }, ...panels),
  );
  details.addEventListener('toggle', () => (expanded = details.open));
  return [details];
}
