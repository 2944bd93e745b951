/**
 * Node's side of the threaded wasm build: importing this module lets `selectBackend` start
 * TF.js's tfjs-backend-wasm-threaded-simd.wasm with worker_threads, without patching TF.js.
 *
 * What TF.js 4.22 does not do under Node, and how this fills it in at run time:
 * - its pthread worker script is handed to `new Worker` as a blob: URL, which Node's Worker
 *   rejects. Emscripten's glue assigns `globalThis.Worker = worker_threads.Worker` and then
 *   constructs its eight pool workers by that name, so `globalThis.Worker` becomes an accessor
 *   that always yields PthreadWorker (a worker_threads.Worker running PTHREAD_WORKER_SOURCE) and
 *   ignores the glue's assignment. Nothing else in Node reads `globalThis.Worker`.
 * - backend.cc caps the pool at half the logical cores (hyper-threads, it assumes): the cap is
 *   read once, from the wasm import `emscripten_num_logical_cores`, while the module
 *   instantiates, so during the start WebAssembly.instantiate answers it with twice the count asked.
 * - a pthread worker is `ref()`ed while its thread runs, and XNNPACK's pool threads run forever:
 *   PthreadWorker never holds the process open (the main thread's work does).
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { Worker as NodeWorker } from 'node:worker_threads';
import { registerWasmThreading, type ThreadedStart } from '../../tfjs/backend/threads.js';
import { PTHREAD_WORKER_SOURCE } from './pthread-worker-source.js';

const require = createRequire(import.meta.url);
const PACKAGE = '@tensorflow/tfjs-backend-wasm';

interface Start {
  workers: NodeWorker[];
  fail: (reason: string) => void;
}

/** The threaded start under way, if any: its workers, and where a worker's failure goes. */
let starting: Start | undefined;

type ErrorHandler = (error: Error) => void;

class PthreadWorker extends NodeWorker {
  #glueOnError: ErrorHandler | undefined;

  constructor() {
    super(PTHREAD_WORKER_SOURCE, {
      eval: true,
      // Plain Node in the workers: they run emscripten's JavaScript only, never our TypeScript.
      execArgv: [],
      workerData: {
        workerScript: require.resolve(`${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`),
        glue: require.resolve(`${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`),
      },
    });
    this.unref();
    starting?.workers.push(this);
  }

  override ref(): void {
    // XNNPACK's pool threads wait for work forever; the process ends when its main thread is done.
  }

  /** The glue throws from its handler (a crash); during a start the error becomes the start's failure instead. */
  get onerror(): ErrorHandler {
    return (error) => {
      if (starting) starting.fail(`a pthread worker failed: ${error.message}`);
      else this.#glueOnError?.(error);
    };
  }

  set onerror(handler: ErrorHandler) {
    this.#glueOnError = handler;
  }
}

function prepare(threads: number): ThreadedStart {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    throw new Error('this Node has no SharedArrayBuffer/Atomics, which the threaded build shares its heap through');
  }
  let fail: (reason: string) => void = () => {};
  const failure = new Promise<string>((resolve) => (fail = resolve));
  const start: Start = { workers: [], fail };
  starting = start;
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (this: unknown, source: unknown, imports?: WebAssembly.Imports) {
    const env = imports?.env;
    if (env && typeof env.emscripten_num_logical_cores === 'function') {
      imports = { ...imports, env: { ...env, emscripten_num_logical_cores: () => 2 * threads } };
    }
    return (instantiate as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>).call(this, source, imports);
  } as typeof WebAssembly.instantiate;
  return {
    failure,
    abandon: () => {
      for (const worker of start.workers) void worker.terminate();
    },
    finish: () => {
      WebAssembly.instantiate = instantiate;
      if (starting === start) starting = undefined;
    },
  };
}

registerWasmThreading({ defaultThreads: () => os.availableParallelism(), prepare });
