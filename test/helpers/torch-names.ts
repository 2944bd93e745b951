import * as tf from '@tensorflow/tfjs';

/** archbundle weight kind → the PyTorch state_dict suffix it corresponds to. */
const SUFFIX: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

/**
 * "block0.0.conv1/kernel" → "block0.0.conv1.weight": layer names are the reference implementation's
 * module paths.
 */
export function torchKey(name: string): string {
  const slash = name.lastIndexOf('/');
  const kind = name.slice(slash + 1);
  const suffix = SUFFIX[kind];
  if (!suffix) throw new Error(`weight "${name}": no PyTorch counterpart for kind "${kind}"`);
  return `${name.slice(0, slash)}.${suffix}`;
}

/** A PyTorch tensor in archbundle's layout: conv [out, in, kh, kw] → [kh, kw, in, out]; linear [out, in] → [in, out]. */
export function fromTorchLayout(values: number[], shape: number[]): tf.Tensor {
  const t = tf.tensor(values, shape);
  if (shape.length === 4) return tf.transpose(t, [2, 3, 1, 0]);
  if (shape.length === 2) return tf.transpose(t, [1, 0]);
  return t;
}
