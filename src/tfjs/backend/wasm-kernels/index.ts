import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';
import { fusedBatchNormConfig } from './batch-norm.js';
import { captureOriginal } from './fallback.js';
import { castConfig, identityConfig } from './identity.js';
import { registerLeanGradients } from './gradients.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { meanConfig, sumConfig } from './reductions.js';
import { tileConfig } from './tile.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Training kernels the wasm backend lacks, has only as slow direct loops, or gets wrong (MaxPoolGrad). */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
  maxPoolGradConfig,
];

/** Faster paths for wasm kernels training leans on; other cases go to TF.js's own kernel. */
export const WASM_FAST_PATH_KERNELS: readonly tf.KernelConfig[] = [
  sumConfig,
  meanConfig,
  tileConfig,
  identityConfig,
  castConfig,
  fusedBatchNormConfig,
];

/**
 * Registers archbundle's wasm training kernels, replacing any wasm kernel of the same name, and the
 * lean Sum, Mean and FusedBatchNorm gradients (global in TF.js, same values on every backend).
 * Run by selectBackend's onBackendReady hook when wasm is selected. Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of [...WASM_TRAINING_KERNELS, ...WASM_FAST_PATH_KERNELS]) {
    captureOriginal(config.kernelName);
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing === config) continue;
    if (existing) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registerLeanGradients();
}
