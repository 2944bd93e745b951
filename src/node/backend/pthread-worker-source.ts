/**
 * The script each pthread worker of TF.js's threaded wasm build runs under Node (CommonJS, run
 * with `eval: true` so that it needs no file of its own beside the compiled sources).
 *
 * It runs emscripten's own worker script (`wasmWorkerContents`, shipped in the package's
 * wasm-out/ folder), which already speaks worker_threads, with one change: TF.js hands the worker
 * the emscripten glue as a Blob of the *bundled* factory's source, which refers to the bundle's
 * own variables and cannot run alone. The worker loads the standalone glue file of the same build
 * (wasm-out/tfjs-backend-wasm-threaded-simd.js) instead, by path.
 */
export const PTHREAD_WORKER_SOURCE = `'use strict';
const { workerData } = require('node:worker_threads');
const { wasmWorkerContents } = require(workerData.workerScript);
// The contents were written for a Blob: TF.js escapes their newlines before making one, and so must we.
(0, eval)(wasmWorkerContents.replace(/\\n/g, '\\\\n'));
const handle = globalThis.onmessage;
globalThis.onmessage = (event) => {
  if (event.data && event.data.cmd === 'load') event.data.urlOrBlob = workerData.glue;
  handle(event);
};
`;
