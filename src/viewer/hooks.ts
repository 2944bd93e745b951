/**
 * What the viewer exposes on `window.archbundleViewer` for the browser tests: the summaries of
 * the open bundles and, per chart on the page, the data actually plotted.
 */
import type { BundleSummary } from '../core/viewer-protocol.js';

export interface ChartData {
  series: string[];
  x: number[];
  /** One array per series, aligned with x; null where a series has no point. */
  y: (number | null)[][];
}

export interface ViewerHooks {
  charts: Record<string, ChartData>;
  summaries: BundleSummary[];
}

declare global {
  interface Window {
    archbundleViewer: ViewerHooks;
  }
}

// Other modules (the evaluate page) add their own fields: join the object, never replace it.
export const hooks: ViewerHooks = Object.assign((window.archbundleViewer ?? {}) as ViewerHooks, { charts: {}, summaries: [] });
window.archbundleViewer = hooks;

/** The body's state for the tests: loading while any bundle is read, then ready, or error when none could be. */
export function setState(state: 'loading' | 'ready' | 'error'): void {
  document.body.dataset.state = state;
}
