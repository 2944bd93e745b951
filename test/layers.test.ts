/**
 * The house's rule, checked on the sources: the portable core imports neither TF.js nor any
 * node: module, the TF.js layer imports nothing of the Node layer, the browser viewer imports
 * core and TF.js only and nothing imports it, and no runtime import cycle exists among src/ and
 * architectures/. The core bundles for the browser as it is, and so does the viewer.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { build } from 'esbuild';
import { buildViewer } from '../scripts/build-viewer.js';
import { importsOf, ROOT, sourceFiles } from './helpers/import-graph.js';
import { tempDir } from './helpers/tempdir.js';

type Room = 'core' | 'tfjs' | 'node' | 'entry' | 'viewer';
/** The viewer stands beside node: above core and tfjs, and no other room (entries included) may import it. */
const RANK: Record<Room, number> = { core: 0, tfjs: 1, node: 2, viewer: 2, entry: 3 };

/** Architecture folders hold both rooms: specs and generated types are core, builders are TF.js. */
function roomOf(file: string): Room {
  if (file.endsWith('.json')) return 'core'; // data (schemas, package.json): any room may read it
  if (file.startsWith('src/core/')) return 'core';
  if (file.startsWith('src/tfjs/')) return 'tfjs';
  if (file.startsWith('src/node/')) return 'node';
  if (file.startsWith('src/viewer/')) return 'viewer';
  if (file.startsWith('architectures/')) return /(\/build|\/units|^architectures\/builders)\.ts$/.test(file) ? 'tfjs' : 'core';
  return 'entry';
}

const files = sourceFiles('src', 'architectures');

describe('the three rooms', () => {
  it('every import points down: core ← tfjs ← node ← entries, and core ← tfjs ← viewer, which nothing imports', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const room = roomOf(file);
      for (const edge of importsOf(file)) {
        if (edge.target) {
          const target = roomOf(edge.target);
          const viewerEdge = (room === 'viewer') !== (target === 'viewer');
          if (RANK[target] > RANK[room] || (viewerEdge && (target === 'viewer' || target === 'node'))) wrong.push(`${file} (${room}) imports ${edge.target} (${target})`);
        } else if (room === 'core' && (edge.specifier.startsWith('@tensorflow/') || edge.specifier.startsWith('node:'))) {
          wrong.push(`${file} (core) imports ${edge.specifier}`);
        } else if ((room === 'tfjs' || room === 'viewer') && edge.specifier.startsWith('node:')) {
          wrong.push(`${file} (${room}) imports ${edge.specifier}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('no runtime import cycle among src/ and architectures/', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((e) => e.target && !e.typeOnly && e.target.endsWith('.ts')).map((e) => e.target!)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });

  it('archbundle/core bundles for the browser without TF.js and without node: modules', async () => {
    const result = await build({
      entryPoints: [path.join(ROOT, 'src/core/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.deepEqual(inputs.filter((i) => i.includes('@tensorflow') || i.startsWith('node:')), []);
    assert.ok(inputs.some((i) => i.endsWith('src/core/bundle/read-bundle.ts')), 'the reader is in the bundle');
    assert.ok(result.outputFiles[0]!.text.length > 0);
  });

  it('the viewer bundles for the browser without node: modules, and its report script without TF.js', async () => {
    const { metafile } = await buildViewer({ outdir: tempDir('archbundle-viewer-build-') });
    const inputs = Object.keys(metafile.inputs);
    assert.deepEqual(inputs.filter((i) => i.startsWith('node:') || i.includes('/src/node/')), []);
    assert.ok(inputs.some((i) => i.endsWith('src/viewer/main.ts')));
    const outputs = Object.entries(metafile.outputs);
    const report = outputs.find(([file]) => file.endsWith('/report.js'))![1];
    assert.deepEqual(Object.keys(report.inputs).filter((i) => i.includes('@tensorflow')), []);
    assert.ok(Object.keys(report.inputs).some((i) => i.endsWith('src/viewer/report-main.ts')));
    const app = outputs.find(([file]) => file.endsWith('/app.js'))![1];
    assert.ok(Object.keys(app.inputs).some((i) => i.includes('@tensorflow/tfjs-core')), 'the live app runs TF.js');
  });
});
