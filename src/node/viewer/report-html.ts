/**
 * The report as one HTML file: the viewer's report script and styles inline, the data as JSON in
 * `<script type="application/json" id="archbundle-report">`, and a Content-Security-Policy that
 * allows no network at all, so the file behaves the same attached to a pull request, mailed, or
 * opened on a machine without one.
 */
import type { ReportData } from '../../core/viewer-protocol.js';

export const REPORT_DATA_ID = 'archbundle-report';

/**
 * Inline scripts and styles only; images as data: URLs (the evaluation's misclassified examples)
 * or blob: URLs (chart exports). `default-src 'none'` refuses every fetch, image, font or frame
 * from anywhere else.
 */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'";

export interface ReportAssets {
  /** dist/viewer/report.js */
  script: string;
  /** dist/viewer/app.css */
  styles: string;
}

export function reportHtml(data: ReportData, assets: ReportAssets): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<meta name="generator" content="archbundle report">`,
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${inlineText(assets.styles, 'style')}</style>`,
    '</head>',
    '<body>',
    `<noscript>This archbundle report needs JavaScript to draw its pages; its data is in the script element #${REPORT_DATA_ID}.</noscript>`,
    `<script type="application/json" id="${REPORT_DATA_ID}">${jsonForScript(data)}</script>`,
    `<script>${inlineText(assets.script, 'script')}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * JSON that cannot end or confuse the script element holding it: `<`, `>` and `&` as \u escapes
 * (so no `</script>` or `<!--`), and U+2028/U+2029, which older JavaScript parsers took for line
 * ends. JSON.parse reads the escapes back as the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Script or style text made safe to place inside its element: only `</script` (`</style`)
 * could end it early. In JavaScript strings and CSS the escaped slash reads as the same character;
 * esbuild's output already avoids the sequence, this guards any text.
 */
function inlineText(text: string, element: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${element})`, 'gi'), '<\\/$1');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
