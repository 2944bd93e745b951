import { ArchbundleError } from '../../core/errors.js';
import type { Classifier } from '../../tfjs/classifier.js';
import { ENGINE_NAMES, type EngineRequest, type InferenceEngine } from './engine.js';
import { onnxruntimeEngine } from './onnxruntime-engine.js';
import { tfjsEngine } from './tfjs-engine.js';

export interface OpenEngineOptions {
  /** Default `auto`. */
  request?: EngineRequest;
  /** onnxruntime's intra-op threads (the CLI passes the count asked of the backend: --threads, else ARCHBUNDLE_THREADS, else every core). */
  threads: number;
}

export interface OpenedEngine {
  engine: InferenceEngine;
  /** Why `auto` fell back to TF.js (onnxruntime not installed, a layer ONNX cannot express ...). */
  fallback?: string;
}

/** Engine names a user may ask for, in help order. */
export const ENGINE_REQUESTS: readonly EngineRequest[] = ['auto', ...ENGINE_NAMES];

export function isEngineRequest(value: unknown): value is EngineRequest {
  return (ENGINE_REQUESTS as readonly unknown[]).includes(value);
}

/**
 * An engine for `model`. `onnxruntime` fails with E_BACKEND (or E_EXPORT_UNSUPPORTED) when it
 * cannot run the model; `auto` then falls back to TF.js and says why.
 */
export async function openEngine(model: Classifier, options: OpenEngineOptions): Promise<OpenedEngine> {
  const request = options.request ?? 'auto';
  if (request === 'tfjs') return { engine: tfjsEngine(model) };
  try {
    return { engine: await onnxruntimeEngine(model, options.threads) };
  } catch (error) {
    if (request === 'onnxruntime' || !(error instanceof ArchbundleError)) throw error;
    return { engine: tfjsEngine(model), fallback: error.message };
  }
}
