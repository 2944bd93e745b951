/**
 * The shell: header with the page links, the bundle picker, "Open bundle…" and the theme toggle;
 * the error panels of bundles that failed; the current page. It owns the list of bundles (each
 * loading, ready or failed) and renders the page again when the route, the bundles or the theme
 * change. Live and report entries (main.ts, report-main.ts) feed it bundles.
 */
import type { BundleComparison, ViewerSession } from '../core/viewer-protocol.js';
import { destroyCharts } from './charts.js';
import { append, h } from './dom.js';
import { errorPanel, problemsView, shownError, type ShownError } from './errors.js';
import { hooks, setState } from './hooks.js';
import type { Page, PageContext, ViewedBundle } from './page.js';
import { parseRoute, routeHref } from './route.js';
import { initTheme, toggleTheme, currentTheme } from './theme.js';

export interface BundleEntry {
  /** The session's id, or one the viewer gives a file the user opened. */
  id: string;
  name: string;
  status: 'loading' | 'ready' | 'error';
  /** When the file was last written (ms since the epoch), if known: breaks ties for the default bundle. */
  modified?: number;
  viewed?: ViewedBundle;
  error?: ShownError;
}

export interface AppOptions {
  mode: 'live' | 'report';
  title: string;
  /** Shown beside the brand (a report's title and date). */
  subtitle?: string;
  pages: Page[];
  session: ViewerSession | null;
  compare?: (bundles: ViewedBundle[], reference: number, other: number) => Promise<BundleComparison | null>;
  /** Live only: reads files the user opened or dropped. */
  openFiles?: (files: File[]) => void;
}

export class App {
  private readonly entries: BundleEntry[] = [];
  private readonly nav = h('nav', { class: 'pages', 'aria-label': 'Pages' });
  private readonly picker = h('select', { id: 'bundle-picker' });
  private readonly pickerGroup = h('span', { class: 'picker' }, h('label', { for: 'bundle-picker', class: 'picker-label' }, 'Bundle '), this.picker);
  private readonly problems = h('div', { class: 'problems' });
  private readonly status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly pageRoot = h('div', { class: 'page' });
  private readonly fileInput = h('input', { type: 'file', accept: '.archbundle,application/x-tar', multiple: true, hidden: true });
  private readonly themeButton = h('button', { type: 'button', class: 'ghost', onclick: () => this.switchTheme() });
  private renderCount = 0;
  private shownPage: string | null = null;

  constructor(private readonly options: AppOptions) {
    initTheme(() => this.render());
    document.title = options.title;
    this.picker.addEventListener('change', () => {
      const route = parseRoute(location.hash);
      location.hash = routeHref(route.page, this.picker.value, route.bundles);
    });
    this.fileInput.addEventListener('change', () => {
      if (this.fileInput.files?.length) options.openFiles?.([...this.fileInput.files]);
      this.fileInput.value = '';
    });
    window.addEventListener('hashchange', () => this.render());
    if (options.openFiles) this.acceptDrops(options.openFiles);
    this.layout();
    this.render();
  }

  add(entry: BundleEntry): void {
    this.entries.push(entry);
    this.render();
  }

  /** Call after changing an entry (loaded, failed). */
  update(): void {
    this.render();
  }

  /** Opens the file chooser (the empty page's button). */
  chooseFiles(): void {
    this.fileInput.click();
  }

  private layout(): void {
    const tools = h('div', { class: 'tools' }, this.pickerGroup);
    if (this.options.openFiles) {
      append(tools, h('button', { type: 'button', onclick: () => this.chooseFiles() }, 'Open bundle…'), this.fileInput);
    }
    append(tools, this.themeButton);
    document.body.replaceChildren(
      h('a', { class: 'skip-link', href: '#main', onclick: (e) => this.skipToMain(e) }, 'Skip to content'),
      h(
        'header',
        { class: 'topbar' },
        h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), ' archbundle ', h('span', { class: 'mode' }, this.options.mode === 'report' ? 'report' : 'viewer'), this.options.subtitle ? h('span', { class: 'brand-note' }, this.options.subtitle) : null),
        this.nav,
        tools,
      ),
      h('main', { id: 'main', tabindex: '-1' }, this.status, this.problems, this.pageRoot),
    );
  }

  /** The skip link moves focus without changing the hash (which is the router's). */
  private skipToMain(event: Event): void {
    event.preventDefault();
    document.getElementById('main')?.focus();
  }

  private switchTheme(): void {
    toggleTheme();
    this.render();
  }

  private ready(): ViewedBundle[] {
    return this.entries.filter((e) => e.status === 'ready').map((e) => e.viewed!);
  }

  private render(): void {
    const render = ++this.renderCount;
    const route = parseRoute(location.hash);
    const readyEntries = this.entries.filter((e) => e.status === 'ready');
    const selectedIndex = selectIndex(readyEntries, route.bundle);
    const selected = readyEntries[selectedIndex];
    const page = this.options.pages.find((p) => p.id === route.page) ?? this.options.pages[0]!;

    this.nav.replaceChildren(
      ...this.options.pages.map((p) =>
        h('a', { href: routeHref(p.id, route.bundle, route.bundles), 'aria-current': p.id === page.id ? 'page' : undefined }, p.title),
      ),
    );
    this.picker.replaceChildren(...readyEntries.map((e, i) => h('option', { value: e.id, selected: i === selectedIndex }, e.name)));
    this.picker.disabled = readyEntries.length < 2;
    this.pickerGroup.hidden = readyEntries.length === 0;
    const dark = currentTheme() === 'dark';
    this.themeButton.textContent = dark ? '☀ Light' : '☾ Dark';
    this.themeButton.setAttribute('aria-label', dark ? 'Switch to light theme' : 'Switch to dark theme');

    const loading = this.entries.filter((e) => e.status === 'loading');
    this.status.textContent = loading.length ? `Reading ${loading.map((e) => e.name).join(', ')}…` : '';
    this.problems.replaceChildren(...problemsView(this.entries.filter((e) => e.status === 'error').map((e) => ({ name: e.name, error: e.error! }))));
    hooks.summaries = this.ready().map((b) => b.summary);

    destroyCharts();
    this.pageRoot.replaceChildren();
    this.pageRoot.dataset.page = page.id;
    if (!selected) {
      this.pageRoot.append(this.emptyState(loading.length > 0));
    } else {
      const bundles = this.ready();
      const context: PageContext = {
        bundle: selected.viewed!,
        bundles,
        session: this.options.session,
        mode: this.options.mode,
        route,
        ...(this.options.compare ? { compare: (reference: number, other: number) => this.options.compare!(bundles, reference, other) } : {}),
      };
      const heading = h('h1', { class: 'page-title' }, page.title, h('span', { class: 'subtitle' }, page.id === 'compare' ? `${bundles.length} bundles open` : selected.name));
      this.pageRoot.append(heading);
      const body = h('div', { class: 'page-body' });
      this.pageRoot.append(body);
      try {
        const done = page.render(body, context);
        if (done) done.catch((error) => render === this.renderCount && body.append(errorPanel(page.title, shownError(error))));
      } catch (error) {
        body.append(errorPanel(page.title, shownError(error)));
      }
    }
    // after following a page link, Tab goes on from the new page (not when only the bundle changed)
    if (this.shownPage !== null && this.shownPage !== page.id) document.getElementById('main')?.focus({ preventScroll: true });
    this.shownPage = page.id;
    setState(loading.length ? 'loading' : readyEntries.length || this.entries.length === 0 ? 'ready' : 'error');
  }

  private emptyState(loading: boolean): HTMLElement {
    if (loading) return h('section', { class: 'card empty' }, h('p', {}, 'Reading and checking the bundle…'));
    if (!this.options.openFiles) return h('section', { class: 'card empty' }, h('p', {}, 'This report holds no bundle that could be shown.'));
    return h(
      'section',
      { class: 'card empty drop-zone', 'data-testid': 'drop-zone' },
      h('h2', {}, 'Open a bundle'),
      h('p', {}, 'Drop one or more .archbundle files here, or choose them. They are read and checked in this browser; nothing is uploaded.'),
      h('button', { type: 'button', class: 'primary', onclick: () => this.chooseFiles() }, 'Open bundle…'),
    );
  }

  /** Files dropped anywhere on the page are opened; the page shows where they will go. */
  private acceptDrops(open: (files: File[]) => void): void {
    let depth = 0;
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    window.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      depth++;
      document.body.classList.add('dragging');
    });
    window.addEventListener('dragleave', () => {
      if (--depth <= 0) {
        depth = 0;
        document.body.classList.remove('dragging');
      }
    });
    window.addEventListener('dragover', (e) => {
      if (hasFiles(e)) e.preventDefault();
    });
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      document.body.classList.remove('dragging');
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) open(files);
    });
  }
}

/** The bundle the route names, by id or by index among the ready ones; the newest otherwise. */
function selectIndex(entries: BundleEntry[], wanted: string | null): number {
  const byId = wanted === null ? -1 : entries.findIndex((e) => e.id === wanted);
  if (byId >= 0) return byId;
  const index = Number(wanted ?? NaN);
  return Number.isInteger(index) && index >= 0 && index < entries.length ? index : newest(entries);
}

/**
 * Where training stands furthest: the highest epoch, then the file written last, then the first
 * in path order. Path order alone would open best.archbundle or epoch-0001, rarely the one wanted.
 */
function newest(entries: BundleEntry[]): number {
  let best = 0;
  entries.forEach((e, i) => {
    const b = entries[best]!;
    const epoch = e.viewed!.summary.training.epoch - b.viewed!.summary.training.epoch;
    if (epoch > 0 || (epoch === 0 && (e.modified ?? -Infinity) > (b.modified ?? -Infinity))) best = i;
  });
  return best;
}
