/** `--engine auto|onnxruntime|tfjs` on the commands that run a model for inference (predict, eval), and how the engine used reads. */
import type { BackendInfo } from '../../tfjs/backend/select.js';
import type { Classifier } from '../../tfjs/classifier.js';
import { ENGINE_REQUESTS, isEngineRequest, openEngine, type EngineRequest, type OpenedEngine } from '../engine/index.js';
import { backendWithThreads } from './threads-option.js';
import { UsageError } from './usage.js';

export const ENGINE_OPTION = { engine: { type: 'string' } } as const;

/** What --engine says in each command's help (after the flag's padded name). */
export const ENGINE_HELP = `${ENGINE_REQUESTS.join(', ')} (default: ARCHBUNDLE_ENGINE, else auto:
                   onnxruntime when onnxruntime-node loads and can run the model, else tfjs)`;

/** --engine, else ARCHBUNDLE_ENGINE, else auto; anything else is a usage error naming where it came from. */
export function engineFlag(value: unknown, env: NodeJS.ProcessEnv, command: string): EngineRequest {
  const fromEnv = env.ARCHBUNDLE_ENGINE === '' ? undefined : env.ARCHBUNDLE_ENGINE;
  const request = value ?? fromEnv ?? 'auto';
  if (!isEngineRequest(request)) {
    const origin = value === undefined ? 'ARCHBUNDLE_ENGINE' : '--engine';
    throw new UsageError(`${origin} must be one of ${ENGINE_REQUESTS.join(', ')}, received "${String(request)}"`, command);
  }
  return request;
}

/** The engine for `model`; onnxruntime computes with the threads asked of the backend (--threads, ARCHBUNDLE_THREADS, all cores). */
export function openCommandEngine(model: Classifier, request: EngineRequest, backend: BackendInfo): Promise<OpenedEngine> {
  return openEngine(model, { request, threads: backend.threadsRequested });
}

/** "onnxruntime (2 threads)", or "tfjs on wasm (2 threads)" with why auto did not take onnxruntime. */
export function describeEngine({ engine, fallback }: OpenedEngine, backend: BackendInfo): string {
  const text = engine.name === 'onnxruntime' ? `onnxruntime (${engine.threads} thread${engine.threads === 1 ? '' : 's'})` : `tfjs on ${backendWithThreads(backend)}`;
  return fallback ? `${text}; onnxruntime not used: ${fallback}` : text;
}

/** The engine as --json outputs give it. */
export function engineJson({ engine, fallback }: OpenedEngine): { engine: string; engineThreads: number | null; engineFallback?: string } {
  return { engine: engine.name, engineThreads: engine.threads, ...(fallback ? { engineFallback: fallback } : {}) };
}
