import { canonicalJson } from '../../../core/bundle/canonical-json.js';
import { FORMAT_VERSION } from '../../../core/bundle/format.js';
import { encodeOnnxModel } from '../../../core/onnx/encode-model.js';
import { archEntryOf } from '../../bundle/arch-entry.js';
import type { Classifier } from '../../classifier.js';
import { onnxGraphOf } from './model-to-onnx.js';

/** Metadata key holding the bundle's arch.json, so an ONNX file says which archbundle model it is. */
export const ONNX_ARCH_METADATA_KEY = 'archbundle.arch.json';

/**
 * The ONNX file of `model`'s inference (see model-to-onnx.ts), in memory: what `archbundle
 * export --to onnx` writes and what the onnxruntime engine loads without a file.
 */
export function onnxModelBytes(model: Classifier, options: { producerVersion?: string } = {}): Uint8Array {
  const arch = canonicalJson({ formatVersion: FORMAT_VERSION, ...archEntryOf(model) });
  return encodeOnnxModel(onnxGraphOf(model, { metadata: { [ONNX_ARCH_METADATA_KEY]: arch } }), options);
}
