/** Axis permutations of dense C-order float arrays: PyTorch's layouts to archbundle's and back. */

/** transpose(values of `shape`, perm): out axis i is in axis perm[i]. Returns the values and the new shape. */
export function permute(values: Float32Array, shape: readonly number[], perm: readonly number[]): { values: Float32Array; shape: number[] } {
  if (perm.length !== shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new RangeError(`permutation ${JSON.stringify(perm)} does not fit a tensor of shape ${JSON.stringify(shape)}`);
  }
  const outShape = perm.map((p) => shape[p]!);
  if (perm.every((p, i) => p === i)) return { values, shape: outShape };
  const inStrides = stridesOf(shape);
  const strides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(values.length);
  const index = new Array<number>(outShape.length).fill(0);
  let source = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = values[source]!;
    // Odometer increment over the output's axes, moving the source offset by each axis' stride.
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      index[axis]!++;
      source += strides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      source -= strides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return { values: out, shape: outShape };
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return inverse;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= shape[i]!;
  }
  return strides;
}

/**
 * A dense kernel [C*H*W, out] whose input rows are in PyTorch's flatten order (c, h, w) →
 * archbundle's (h, w, c); `toTorch` goes the other way.
 */
export function permuteFlattenedRows(values: Float32Array, chw: readonly [number, number, number], units: number, toTorch = false): Float32Array {
  const [c, h, w] = chw;
  const asTorch = [c, h, w, units];
  const asOurs = [h, w, c, units];
  return toTorch ? permute(values, asOurs, [2, 0, 1, 3]).values : permute(values, asTorch, [1, 2, 0, 3]).values;
}
