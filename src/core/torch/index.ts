/**
 * Reading PyTorch checkpoints (torch.save, both serialisations) without running anything in
 * them: a restricted unpickler, a strict zip reader, and the Python values they hand out.
 */
export { readTorchFile } from './read-torch-file.js';
export type { TorchFile } from './read-torch-file.js';
export { DEFAULT_TORCH_LIMITS } from './limits.js';
export type { TorchLimits } from './limits.js';
export { tensorFloat32, tensorNumbers, tensorBigInts, tensorInt } from './tensor-data.js';
export { allowedGlobalNames } from './pickle-globals.js';
export { PyBytes, PyDict, PyTuple, TorchDevice } from './values.js';
export type { PyKey, PyValue, TorchDtype, TorchStorage, TorchTensor } from './values.js';
