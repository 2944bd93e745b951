/**
 * A safetensors file's tensors as a PyTorch state_dict (the same values the restricted
 * unpickler hands out), so that one mapping path imports both formats.
 */
import { ForeignFormatError } from '../errors.js';
import type { SafetensorsTensor } from '../safetensors/read.js';
import { stridesOf } from './permute.js';
import { PyDict, type TorchDtype, type TorchTensor } from './values.js';

/** The metadata key under which `archbundle export` keeps the bundle's arch.json in a safetensors file. */
export const ARCH_METADATA_KEY = 'arch.json';

const DTYPES: Partial<Record<string, TorchDtype>> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

export function safetensorsStateDict(tensors: readonly SafetensorsTensor[]): PyDict {
  const dict = new PyDict();
  for (const t of tensors) {
    const dtype = DTYPES[t.dtype];
    if (!dtype) throw new ForeignFormatError('E_SAFETENSORS', `safetensors tensor "${t.name}" has dtype ${t.dtype}; archbundle imports ${Object.keys(DTYPES).join(', ')}`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    const stride = stridesOf(t.shape);
    const tensor: TorchTensor = {
      kind: 'tensor',
      storage: { key: t.name, dtype, size, bytes: t.bytes },
      storageOffset: 0,
      shape: [...t.shape],
      stride,
      requiresGrad: false,
    };
    dict.entries.set(t.name, tensor);
  }
  return dict;
}
