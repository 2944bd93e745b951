/**
 * torch._utils._rebuild_tensor_v2 and _rebuild_parameter, as data: a tensor is a strided view
 * (offset, shape, strides, in elements) of a storage, and every element it can address must lie
 * inside that storage. Nothing is read or copied here; the view is checked so that reading it
 * later can never go out of range.
 */
import { ForeignFormatError } from '../errors.js';
import { describe, type Item } from './pickle-items.js';
import type { TorchLimits } from './limits.js';
import { isCount } from './persistent-id.js';
import { LoadedStorage } from './storage.js';
import { PyDict, PyTuple, type TorchTensor } from './values.js';

export interface RebuildContext {
  limits: Pick<TorchLimits, 'maxRank' | 'maxBroadcastElements'>;
  stream: string;
  at: number;
  /**
   * Checked geometry by size tuple, then stride tuple: tensors built from the same memoized
   * tuples share their shape and stride arrays, and the reach of the view is computed once.
   */
  geometry: Map<PyTuple, Map<PyTuple, Geometry>>;
}

interface Geometry {
  shape: number[];
  stride: number[];
  /** Σ (size_i − 1)·stride_i over non-empty dimensions: how far past its offset the view reaches. */
  span: bigint;
  elements: bigint;
}

/** _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
export function rebuildTensor(args: readonly Item[], context: RebuildContext): TorchTensor {
  const bad = (what: string): never => {
    throw new ForeignFormatError('E_TORCH_FORMAT', `${context.stream}: torch._utils._rebuild_tensor_v2 at byte ${context.at} ${what}`);
  };
  if (args.length !== 6 && args.length !== 7) bad(`has ${args.length} arguments; expected 6 (storage, offset, size, stride, requires_grad, backward_hooks) or 7 (and metadata)`);
  const [storage, offset, size, stride, requiresGrad, hooks, metadata] = args;
  if (!(storage instanceof LoadedStorage)) return bad(`has ${describe(storage!)} as its storage; expected a storage from a persistent id`);
  if (!isCount(offset)) return bad(`has ${describe(offset!)} as its storage offset; expected an int ≥ 0`);
  const geometry = geometryOf(size!, stride!, context, bad);
  if (typeof requiresGrad !== 'boolean') bad(`has ${describe(requiresGrad!)} as requires_grad; expected True or False`);
  if (!(hooks instanceof PyDict) || hooks.entries.size > 0) bad(`has ${describe(hooks!)} as backward_hooks; expected an empty OrderedDict (hooks are never saved)`);
  if (metadata !== undefined) checkMetadata(metadata, bad);
  checkExtent(storage, offset, geometry, context, bad);
  return { kind: 'tensor', storage, storageOffset: offset, shape: geometry.shape, stride: geometry.stride, requiresGrad: requiresGrad as boolean };
}

/** _rebuild_parameter(data, requires_grad, backward_hooks): the tensor again, with its requires_grad. */
export function rebuildParameter(args: readonly Item[], context: RebuildContext): TorchTensor {
  const bad = (what: string): never => {
    throw new ForeignFormatError('E_TORCH_FORMAT', `${context.stream}: torch._utils._rebuild_parameter at byte ${context.at} ${what}`);
  };
  if (args.length !== 3) bad(`has ${args.length} arguments; expected 3 (data, requires_grad, backward_hooks)`);
  const [data, requiresGrad, hooks] = args;
  if (!isTensor(data!)) return bad(`has ${describe(data!)} as its data; expected a tensor`);
  if (typeof requiresGrad !== 'boolean') return bad(`has ${describe(requiresGrad!)} as requires_grad; expected True or False`);
  if (!(hooks instanceof PyDict) || hooks.entries.size > 0) bad(`has ${describe(hooks!)} as backward_hooks; expected an empty OrderedDict (hooks are never saved)`);
  return { ...data, requiresGrad };
}

export function isTensor(item: Item): item is TorchTensor {
  return typeof item === 'object' && item !== null && (item as Partial<TorchTensor>).kind === 'tensor' && (item as TorchTensor).storage instanceof LoadedStorage;
}

function geometryOf(size: Item, stride: Item, context: RebuildContext, bad: (what: string) => never): Geometry {
  if (!(size instanceof PyTuple)) return bad(`has ${describe(size)} as its size; expected a tuple of ints`);
  if (!(stride instanceof PyTuple)) return bad(`has ${describe(stride)} as its stride; expected a tuple of ints`);
  let byStride = context.geometry.get(size);
  const known = byStride?.get(stride);
  if (known) return known;
  const shape = dimensions(size, 'size', context, bad);
  const strides = dimensions(stride, 'stride', context, bad);
  if (strides.length !== shape.length) bad(`has ${shape.length} sizes but ${strides.length} strides`);
  // bigint: sizes and strides from the file can overflow 2^53 when multiplied.
  let elements = 1n;
  let span = 0n;
  for (let i = 0; i < shape.length; i++) {
    elements *= BigInt(shape[i]!);
    if (shape[i]! > 0) span += BigInt(shape[i]! - 1) * BigInt(strides[i]!);
  }
  const geometry: Geometry = { shape, stride: strides, span, elements };
  if (!byStride) {
    byStride = new Map();
    context.geometry.set(size, byStride);
  }
  byStride.set(stride, geometry);
  return geometry;
}

function dimensions(tuple: PyTuple, what: string, context: RebuildContext, bad: (what: string) => never): number[] {
  if (tuple.items.length > context.limits.maxRank) bad(`has ${tuple.items.length} dimensions; the cap is ${context.limits.maxRank}`);
  return tuple.items.map((value, i) => {
    if (!isCount(value)) return bad(`has ${describe(value)} at ${what}[${i}]; expected an int ≥ 0`);
    return value;
  });
}

/** torch 2 adds a dict of the conj and neg bits when one is set; values stored with either bit set are not plain data. */
function checkMetadata(metadata: Item, bad: (what: string) => never): void {
  if (!(metadata instanceof PyDict)) bad(`has ${describe(metadata)} as metadata; expected a dict`);
  for (const [key, value] of (metadata as PyDict).entries) {
    if (value !== false) bad(`has metadata ${String(key)}=${describe(value)}; conjugate and negative views are not supported`);
  }
}

/**
 * Every addressable element, offset + span, lies inside the storage. A view that holds more
 * elements than its storage (stride 0) is capped, since materialising it would allocate that much.
 */
function checkExtent(storage: LoadedStorage, offset: number, geometry: Geometry, context: RebuildContext, bad: (what: string) => never): void {
  const { shape, stride, elements } = geometry;
  const view = `the view of shape [${shape.join(', ')}], strides [${stride.join(', ')}] at offset ${offset}`;
  if (elements === 0n) {
    if (offset > storage.size) bad(`starts ${view} past the end of storage ${storage.key} (${storage.size} elements)`);
    return;
  }
  const last = BigInt(offset) + geometry.span;
  if (last >= BigInt(storage.size)) {
    bad(`reaches element ${last} with ${view}, but storage ${storage.key} holds ${storage.size} elements of ${storage.dtype}`);
  }
  if (elements > BigInt(storage.size) && elements > BigInt(context.limits.maxBroadcastElements)) {
    bad(`makes ${view}: ${elements} elements out of a storage of ${storage.size}, above the cap of ${context.limits.maxBroadcastElements} for views larger than their storage`);
  }
}
