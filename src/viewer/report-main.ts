/**
 * The report's entry (dist/viewer/report.js): everything comes from the JSON that `archbundle
 * report` embeds in the page; no network, no TF.js (a test checks the bundle holds none).
 */
import type { BundleComparison, ReportData } from '../core/viewer-protocol.js';
import { App } from './app.js';
import { shownError, errorPanel } from './errors.js';
import { setState } from './hooks.js';
import { reportPages } from './pages/report.js';

function start(): void {
  let data: ReportData;
  try {
    data = JSON.parse(document.getElementById('archbundle-report')?.textContent ?? 'null') as ReportData;
    if (!data || !Array.isArray(data.bundles)) throw Object.assign(new Error('this page holds no archbundle report data (script#archbundle-report)'), { code: 'E_JSON_SCHEMA' });
  } catch (error) {
    document.body.replaceChildren(errorPanel('report', shownError(error)));
    setState('error');
    return;
  }
  const comparisons = data.comparisons ?? [];
  const find = (reference: number, other: number): BundleComparison | null =>
    comparisons.find((c) => c.reference === reference && c.other === other) ?? null;
  const app = new App({
    mode: 'report',
    title: data.title,
    subtitle: `${data.title} · ${new Date(data.generated).toLocaleString()}`,
    pages: reportPages,
    session: null,
    compare: async (_bundles, reference, other) => find(reference, other),
  });
  data.bundles.forEach((bundle, i) => app.add({ id: String(i), name: bundle.summary.name, status: 'ready', viewed: bundle }));
}

start();
