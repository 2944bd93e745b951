/**
 * The live viewer's entry (dist/viewer/app.js): with `archbundle view` behind the page, the
 * session's bundles are fetched and read; without it (a page opened from a file) the user opens
 * or drops bundles. Each bundle is read and checked in the browser and summarised; one that
 * fails shows its error and leaves the others usable.
 */
import { App, type BundleEntry } from './app.js';
import { shownError } from './errors.js';
import { setState } from './hooks.js';
import { liveComparer } from './load/compare-live.js';
import { fetchBundle, fetchSession } from './load/session.js';
import { summarizeBlob } from './load/summarize-blob.js';
import type { SessionRun } from '../core/viewer-protocol.js';
import { livePages } from './pages/live.js';

async function start(): Promise<void> {
  setState('loading');
  const session = await fetchSession();
  let opened = 0;
  const open = (id: string, name: string, modified: number, bytes: () => Promise<Blob>, run?: SessionRun) => {
    const entry: BundleEntry = { id, name, status: 'loading', modified };
    app.add(entry);
    void (async () => {
      try {
        const file = await bytes();
        const summary = await summarizeBlob(file, name);
        entry.viewed = { summary, file, ...(run ? { run } : {}) };
        entry.status = 'ready';
      } catch (error) {
        entry.error = shownError(error);
        entry.status = 'error';
      }
      app.update();
    })();
  };
  const app = new App({
    mode: 'live',
    title: 'archbundle viewer',
    pages: livePages,
    session,
    compare: liveComparer(),
    openFiles: (files) => {
      for (const file of files) open(`file-${++opened}`, file.name, file.lastModified, async () => file);
    },
  });
  for (const bundle of session?.bundles ?? []) {
    const run = session!.runs.find((r) => r.id === bundle.run);
    open(bundle.id, bundle.name, Date.parse(bundle.modified), () => fetchBundle(bundle), run);
  }
}

void start();
