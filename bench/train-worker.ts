/**
 * Our side of bench:train (and bench:limit), in a child process so that it starts its backend
 * with ARCHBUNDLE_THREADS threads: SimpleNet (the reference implementation's, 1x28x28) trained with
 * archbundle's trainStep (Adam 1e-3, softmax cross-entropy) and run through compileForInference,
 * on a fixed random batch. The parent drives it over stdin, one command a line, so that its
 * rounds alternate with the PyTorch peer's while the model stays warm:
 *   train | infer  → {"ms": median ms per step over --steps}   (the first call of each warms up)
 *   infer-onnxruntime → {"ms", "threads"} through onnxruntime-node (src/node/engine), same model
 *                     and batch, or {"unavailable": reason} when the engine cannot run here
 *   limit          → {"gemm", "conv"}: kernelRates at this thread count, between the rounds' steps
 *   cpu            → {"cpu_images_per_s": ...} on TF.js's cpu backend (ends the wasm part)
 *   quit
 * First line out: {"ready": true, backend, threads, flops: {train, infer}} (countModelFlops, per step).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { compileForInference, selectBackend, trainStep, type Classifier } from '../src/index.js';
import { countModelFlops } from '../src/tfjs/model-flops.js';
import { requireThreads, threadsFromEnv } from './threads-in-use.js';
import { DEFAULT_KERNEL_SHAPES, kernelRates } from './kernel-rates.js';
import { simpleNetWorkload } from './simplenet-workload.js';
import { median } from './stats.js';
import { TRAIN_WORKER_OPTIONS } from './train-worker-options.js';
import { onnxruntimeEngine, type InferenceEngine } from '../src/node/engine/index.js';

const { values: opts } = parseArgs({ options: TRAIN_WORKER_OPTIONS });
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const batch = Number(opts.batch);
const channels = Number(opts.channels);
const resolution: [number, number, number] = [1, 28, 28];
const reply = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** bench:train's SimpleNet with its training step over a fixed random batch of `n`. */
function trainer(n: number): { model: Classifier; step: () => void } {
  const { model, x, labels, optimizer } = simpleNetWorkload({ batch: n, channels });
  return { model, step: () => void trainStep(model, optimizer, x, labels) };
}

/** Median ms per call over `count` calls, after `warm` unmeasured ones. */
function msPerStep(step: () => void, count: number, warm: number): number {
  for (let i = 0; i < warm; i++) step();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  return median(times);
}

const info = await selectBackend();
const threads = requireThreads(threadsFromEnv());
const { model, step: runTrainStep } = trainer(batch);
const flops = countModelFlops(model.net, batch);
const xInfer = tf.randomNormal([batch, resolution[1], resolution[2], resolution[0]], 0, 1, 'float32', 3);
// One step first, so that the eval-mode statistics are not the identity and folding batch norm is exercised for real.
runTrainStep();
const inference = compileForInference(model.net);
const inferStep = () => tf.tidy(() => inference.predict(xInfer).dataSync());
reply({ ready: true, backend: info.name, tfjsName: info.tfjsName, threads, flops: { train: flops.training, infer: flops.forward } });

/** onnxruntime at our thread count, opened on first use (its graph comes from the trained model, batch norms folded). */
let onnx: InferenceEngine | undefined;
async function onnxruntimeStep(): Promise<object> {
  try {
    onnx ??= await onnxruntimeEngine(model, threads);
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  const engine = onnx;
  const x = { x: xInfer.dataSync() as Float32Array, size: batch };
  const times: number[] = [];
  const warm = warmed.has('infer-onnxruntime') ? 0 : warmup;
  warmed.add('infer-onnxruntime');
  for (let i = 0; i < warm + steps; i++) {
    const start = performance.now();
    await engine.logits(x);
    if (i >= warm) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1]!, threads: engine.threads };
}

const warmed = new Set<string>();
for await (const line of createInterface({ input: process.stdin })) {
  const command = line.trim();
  if (command === 'train' || command === 'infer') {
    const ms = msPerStep(command === 'train' ? runTrainStep : inferStep, steps, warmed.has(command) ? 0 : warmup);
    warmed.add(command);
    reply({ ms });
  } else if (command === 'limit') {
    reply(kernelRates(DEFAULT_KERNEL_SHAPES, 3));
  } else if (command === 'infer-onnxruntime') {
    reply(await onnxruntimeStep());
  } else if (command === 'cpu') {
    await onnx?.dispose();
    inference.dispose();
    model.dispose();
    const cpuBatch = Number(opts['cpu-batch']);
    await selectBackend('cpu');
    const cpuTraining = trainer(cpuBatch);
    const ms = msPerStep(cpuTraining.step, Number(opts['cpu-steps']), 0);
    cpuTraining.model.dispose();
    reply({ cpu_images_per_s: Math.round((cpuBatch * 10000) / ms) / 10 });
  } else if (command === 'quit') {
    break;
  } else {
    throw new Error(`train-worker: unknown command "${command}"; expected train, infer, infer-onnxruntime, limit, cpu or quit`);
  }
}
process.exit(0);
