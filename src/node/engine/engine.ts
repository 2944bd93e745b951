/**
 * An inference engine: something that turns batches of NHWC images into logits for one loaded
 * model. `predict` and `eval` use one (chosen by open-engine.ts), and so can a benchmark:
 *
 *   const { engine } = await openEngine(model, { request: 'onnxruntime', threads: 2 });
 *   const logits = await engine.logits({ x, size });   // x: size × H × W × C float32
 *   await engine.dispose();
 */
export const ENGINE_NAMES = ['onnxruntime', 'tfjs'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
/** What a user asks for: `auto` takes onnxruntime when it loads, else TF.js. */
export type EngineRequest = 'auto' | EngineName;

/** A batch of examples, as src/tfjs/data/batches.ts's makeBatch gives them (labels unused). */
export interface ImageBatch {
  /** `size` examples, each H × W × C float32 values (NHWC), scaled as the model was trained. */
  x: Float32Array;
  size: number;
}

export interface InferenceEngine {
  readonly name: EngineName;
  /** Threads the engine computes with (onnxruntime's intra-op threads; TF.js: its backend's). */
  readonly threads: number | null;
  /** Row-major logits [size, classes] of the batch, in evaluation mode. */
  logits(batch: ImageBatch): Promise<Float32Array>;
  /** Frees the engine's native session or tensors; the model itself stays the caller's. */
  dispose(): Promise<void>;
}
