/**
 * Inference engines, for the CLI (predict, eval) and the benchmarks:
 * `openEngine(model, { request: 'onnxruntime' | 'tfjs' | 'auto', threads })` gives
 * `{ engine: { name, threads, logits(batch), dispose() }, fallback? }`.
 */
export { ENGINE_NAMES, type EngineName, type EngineRequest, type ImageBatch, type InferenceEngine } from './engine.js';
export { ENGINE_REQUESTS, isEngineRequest, openEngine, type OpenedEngine, type OpenEngineOptions } from './open-engine.js';
export { loadOnnxruntime, onnxruntimeEngine } from './onnxruntime-engine.js';
export { tfjsEngine } from './tfjs-engine.js';
export { engineLogits } from './engine-logits.js';
export { evaluateWithEngine } from './evaluate-engine.js';
