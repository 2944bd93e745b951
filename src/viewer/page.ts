/**
 * A page of the viewer: one module under pages/ exporting `page`. The shell (app.ts) owns the
 * navigation, the bundle picker and the error banner; a page renders into the element it is given
 * from the context, and is rendered again when the selection changes.
 */
import type { BundleComparison, BundleSummary, Evaluation, SessionRun, ViewerSession } from '../core/viewer-protocol.js';
import type { Route } from './route.js';

export interface Page {
  /** The route (#/<id>) and the page's `data-page` attribute. */
  id: 'overview' | 'training' | 'weights' | 'evaluate' | 'compare';
  title: string;
  render(root: HTMLElement, context: PageContext): void | Promise<void>;
}

/** A bundle the viewer has read and checked. */
export interface ViewedBundle {
  summary: BundleSummary;
  /** The bundle's bytes, for in-browser inference; absent in a report. */
  file?: Blob;
  /** Its run's metrics.jsonl, when the server has it. */
  run?: SessionRun;
  /** Results computed ahead (a report made with --data), shown instead of running the model. */
  evaluation?: Evaluation;
}

export interface PageContext {
  /** The selected bundle (the newest epoch of `bundles` unless the route names another). */
  bundle: ViewedBundle;
  /** Every bundle open, in order: the compare page shows them side by side. */
  bundles: ViewedBundle[];
  /** Null in a report and for files dropped on a page opened without a server. */
  session: ViewerSession | null;
  /** 'live': the local server or dropped files, with TF.js; 'report': data embedded, no network, no TF.js. */
  mode: 'live' | 'report';
  /** The route shown (the compare page reads its choice of bundles from it). */
  route: Route;
  /**
   * Per-tensor change of `bundles[other]` against `bundles[reference]`: precomputed in a report,
   * read from the bundles' bytes in the live viewer; null when it cannot be had.
   */
  compare?(reference: number, other: number): Promise<BundleComparison | null>;
}
