/**
 * What the evaluate page leaves on `window.archbundleViewer` for the browser tests: the last
 * evaluation with its logits, the last image prediction. The object may not exist yet when this
 * module runs (the shell creates it too): it is created when absent and never replaced.
 */
import type { Evaluation } from '../../core/viewer-protocol.js';

export interface EvaluateHooks {
  evaluation?: Evaluation & { logits: number[][] };
  prediction?: { logits: number[]; probabilities: number[]; top: { class: number; label: string; probability: number }[] };
}

export function evaluateHooks(): EvaluateHooks {
  const w = window as unknown as { archbundleViewer?: EvaluateHooks };
  w.archbundleViewer ??= {};
  return w.archbundleViewer;
}

/** The state of the last run for the tests: `document.body.dataset.evaluation`. */
export function setEvaluationState(state: 'running' | 'done' | 'error'): void {
  document.body.dataset.evaluation = state;
}
