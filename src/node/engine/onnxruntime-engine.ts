/**
 * The onnxruntime engine: the model's ONNX graph (built in memory from the loaded model, batch
 * norms folded) run by onnxruntime-node's CPU execution provider. onnxruntime-node is an optional
 * dependency: `loadOnnxruntime` says why it cannot be used instead of throwing at import time.
 */
import { createRequire } from 'node:module';
import { EnvironmentError } from '../../core/errors.js';
import type { Classifier } from '../../tfjs/classifier.js';
import { ONNX_INPUT, ONNX_OUTPUT } from '../../tfjs/export/onnx/model-to-onnx.js';
import { onnxModelBytes } from '../../tfjs/export/onnx/model-bytes.js';
import type { InferenceEngine } from './engine.js';

type Onnxruntime = typeof import('onnxruntime-node');

let loaded: Promise<Onnxruntime> | undefined;

/** onnxruntime-node, or E_BACKEND saying why it does not load (not installed, no binary for this platform). */
export function loadOnnxruntime(): Promise<Onnxruntime> {
  loaded ??= (async () => {
    try {
      // createRequire: the package is CommonJS, and its native binding loads on require.
      return createRequire(import.meta.url)('onnxruntime-node') as Onnxruntime;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'onnxruntime-node is not installed (an optional dependency)' : `onnxruntime-node does not load: ${(error as Error).message.split('\n')[0]}`;
      throw new EnvironmentError('E_BACKEND', reason, [], { cause: error });
    }
  })();
  return loaded;
}

/**
 * An onnxruntime session for `model` with `threads` intra-op threads (one inter-op thread: the
 * graphs are chains, nothing runs in parallel between operators).
 */
export async function onnxruntimeEngine(model: Classifier, threads: number): Promise<InferenceEngine> {
  const ort = await loadOnnxruntime();
  const bytes = onnxModelBytes(model);
  const [channels, height, width] = model.args.resolution as [number, number, number];
  let session: Awaited<ReturnType<Onnxruntime['InferenceSession']['create']>>;
  try {
    session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new EnvironmentError('E_BACKEND', `onnxruntime cannot create a session for ${model.className}: ${(error as Error).message.split('\n')[0]}`, [], { cause: error });
  }
  return {
    name: 'onnxruntime',
    threads,
    async logits({ x, size }) {
      const values = size * height * width * channels;
      if (x.length < values) {
        throw new EnvironmentError(
          'E_BACKEND',
          `onnxruntime engine for ${model.className}: a batch of ${size} inputs of ${height}x${width}x${channels} needs ${values} float32 values, received ${x.length}`,
        );
      }
      let outputs: Awaited<ReturnType<typeof session.run>>;
      try {
        const input = new ort.Tensor('float32', x.length === values ? x : x.subarray(0, values), [size, height, width, channels]);
        outputs = await session.run({ [ONNX_INPUT]: input });
      } catch (error) {
        throw new EnvironmentError('E_BACKEND', `onnxruntime failed on a batch of ${size} ${model.className} inputs: ${(error as Error).message.split('\n')[0]}`, [], { cause: error });
      }
      const logits = outputs[ONNX_OUTPUT]!;
      const copy = Float32Array.from(logits.data as Float32Array);
      logits.dispose();
      return copy;
    },
    async dispose() {
      await session.release();
    },
  };
}
