/**
 * archbundle/core: the portable core, without TF.js and without any node: module, for browsers,
 * workers and tools that only read, check or write bundles. The registries hold the built-in
 * specs (schemas, checks, migrations); their TF.js implementations come with 'archbundle'.
 * sha256 is WebCrypto's unless another is installed with `useSha256` ('archbundle' installs node:crypto's).
 */
export { ArchbundleError, ValidationError, RegistryError, BundleError, ForeignFormatError, EnvironmentError, formatIssues } from './errors.js';
export type { ErrorCode, Issue } from './errors.js';
export { validateOrThrow, escapePointer } from './validate.js';
export type { JsonSchema, JsonValue } from './validate.js';
export { Registry, prefixIssues } from './registry.js';
export type { Spec, AnySpec, NestedValidator } from './registry.js';
export { architectures, optimizers, schedulers } from './registries.js';
export type { ArchitectureArgs, OptimizerArgs, SchedulerArgs, ArgsOf } from './registries.js';
export { schemaVersion } from './architecture.js';
export type { ArchitectureSpec, CommonArgs, Complete, Migration } from './architecture.js';
export { migrateArchitectureArgs } from './architecture-migrations.js';
export { checkTrainingClasses } from './check-training-classes.js';
export { readBundle } from './bundle/read-bundle.js';
export type { BundleContents, CheckedArch, ReadOptions, TensorGroup, TensorReceiver, TensorSink } from './bundle/read-bundle.js';
export { bundleChunks, ARCHBUNDLE_VERSION } from './bundle/write-bundle.js';
export type { BundleParts, TensorSource } from './bundle/write-bundle.js';
export type { BundleFile, BundleSource } from './bundle/byte-source.js';
export type { ArchEntry, InputContract, Manifest, ManifestEntry, OptimizerEntry, PixelScaling, SchedulerEntry, TrainingEntry } from './bundle/entries.js';
export { checkInputContract, DEFAULT_PIXEL_SCALING, inputContract, inputShape } from './bundle/input-contract.js';
export type { ContractSubject, InputContractOptions } from './bundle/input-contract.js';
export type { TensorRecord } from './bundle/tensor-table.js';
export { DEFAULT_LIMITS, ENTRY_ORDER, ENTRY_SINCE, FORMAT_VERSION, OLDEST_FORMAT_VERSION, TENSOR_ALIGNMENT } from './bundle/format.js';
export type { ReadLimits, StoredDtype } from './bundle/format.js';
export { parseStrictJson } from './bundle/strict-json.js';
export { softmax, topClasses } from './class-ranking.js';
export type { RankedClass } from './class-ranking.js';
export { canonicalJson } from './bundle/canonical-json.js';
export { useSha256, webCryptoSha256 } from './bundle/hash.js';
export type { Hasher, Sha256 } from './bundle/hash.js';
export { readSafetensors } from './safetensors/read.js';
export type { SafetensorsContents, SafetensorsTensor } from './safetensors/read.js';
export { writeSafetensors } from './safetensors/write.js';
export { DEFAULT_SAFETENSORS_LIMITS, DTYPE_BITS as SAFETENSORS_DTYPE_BITS } from './safetensors/format.js';
export type { SafetensorsDtype, SafetensorsLimits } from './safetensors/format.js';
export { readTorchFile, DEFAULT_TORCH_LIMITS, tensorFloat32, tensorNumbers, tensorBigInts, tensorInt, PyBytes, PyDict, PyTuple, TorchDevice } from './torch/index.js';
export type { TorchFile, TorchLimits, PyKey, PyValue, TorchDtype, TorchStorage, TorchTensor } from './torch/index.js';
