/**
 * Child process of test/wasm-threads.test.ts: a platform without SharedArrayBuffer (as a browser
 * page without cross-origin isolation, or an embedder that turns it off) cannot run the threaded
 * build; asked for 2 threads, the backend must start the single-thread SIMD build and say why.
 * SharedArrayBuffer is removed here, after the loader (which needs it) has started.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/index.js';

Reflect.deleteProperty(globalThis, 'SharedArrayBuffer');
const info = await selectBackend('wasm', { threads: 2 });
const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).arraySync());
process.stdout.write(`${JSON.stringify({ threads: info.threads, notes: info.notes, sum })}\n`);
