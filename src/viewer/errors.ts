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
