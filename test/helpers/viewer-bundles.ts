/**
 * Tiny bundles for the viewer's Node-side tests (server and report): an MLP on Fashion-MNIST's
 * input shape with the dataset's input contract, saved in-process on the cpu backend, and a fake
 * built app, so these tests need neither the esbuild build nor a browser.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createModel, createOptimizer, seedRandom, selectBackend, State } from '../../src/index.js';
import { datasetInputContract } from '../../src/node/data/dataset-contract.js';

/** Saves an MLP (hidden [4]: 3,190 parameters) for Fashion-MNIST at `file`, with an Adam optimizer. */
export async function tinyBundle(file: string, options: { seed?: number; epoch?: number; hidden?: number[] } = {}): Promise<string> {
  await selectBackend('cpu');
  mkdirSync(path.dirname(file), { recursive: true });
  seedRandom(options.seed ?? 1);
  const model = createModel('MLP', { classes: 10, resolution: [1, 28, 28], hidden: options.hidden ?? [4] });
  const optimizer = createOptimizer('Adam', { learningRate: 0.01 });
  try {
    await State.checkpoint(file, model, optimizer, undefined, options.epoch ?? 1, {}, datasetInputContract({ name: 'fashion-mnist', resolution: [1, 28, 28] }));
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  return file;
}

/** A folder standing in for dist/viewer: the files the server and the report writer need. */
export function fakeApp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>viewer</title><script src="app.js"></script>');
  writeFileSync(path.join(dir, 'app.js'), 'console.log("app");');
  writeFileSync(path.join(dir, 'report.js'), 'document.title = "report </script> inside a string";');
  writeFileSync(path.join(dir, 'app.css'), 'body { color: black; }');
  writeFileSync(path.join(dir, 'tfjs-backend-wasm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  return dir;
}
