import type { SymbolicTensor } from '@tensorflow/tfjs';
import type { ClassifierBuilder } from '../../src/tfjs/classifier.js';
import type { NormalizationKind } from '../../src/core/group-count.js';

export interface WideUnitOptions {
  /** Prefix of every layer name in the unit, e.g. "block1.0" (PyTorch's module path). */
  prefix: string;
  inPlanes: number;
  planes: number;
  stride: number;
  normalization: NormalizationKind;
  bias: boolean;
  dropout: boolean;
  /** Whether the shortcut takes relu(norm1(x)) instead of x. */
  activatedShortcut: boolean;
}

/**
 * The reference implementation's WideResNetBlock (pre-activation): norm1, relu1, conv1 (stride 1),
 * dropout 0.1, norm2, relu2, conv2 (the unit's stride); plus the identity or, when the shape
 * changes, a 1x1 convolution (shortcut.0, always with bias and PyTorch's default initialisation, as
 * in the reference implementation), fed the unit's input or, with `activatedShortcut`, relu(norm1(x)).
 * No activation after the sum.
 */
export function wideUnit(b: ClassifierBuilder, o: WideUnitOptions, x: SymbolicTensor): SymbolicTensor {
  const { tf } = b;
  const p = o.prefix;
  const conv = (input: SymbolicTensor, name: string, filters: number, kernelSize: number, strides: number, bias: boolean) =>
    b.applyConv2d(input, `${p}.${name}`, { filters, kernelSize, strides, bias, fanMode: 'fanOut' });

  let y = b.applyNormalization(x, `${p}.norm1`, o.normalization, o.inPlanes);
  y = b.activation(`${p}.relu1`, 'relu').apply(y) as SymbolicTensor;
  const shortcutInput = o.activatedShortcut ? y : x;
  y = conv(y, 'conv1', o.planes, 3, 1, o.bias);
  if (o.dropout) y = b.dropout(`${p}.drop1`, 0.1).apply(y) as SymbolicTensor;
  y = b.applyNormalization(y, `${p}.norm2`, o.normalization, o.planes);
  y = b.activation(`${p}.relu2`, 'relu').apply(y) as SymbolicTensor;
  y = conv(y, 'conv2', o.planes, 3, o.stride, o.bias);

  // The reference implementation leaves the shortcut's initialisation to PyTorch (its default, not
  // Kaiming-normal).
  const shortcut = o.stride !== 1 || o.inPlanes !== o.planes
    ? b.applyConv2d(shortcutInput, `${p}.shortcut.0`, { filters: o.planes, kernelSize: 1, strides: o.stride, bias: true, pytorchDefaultInit: { fanIn: o.inPlanes } })
    : shortcutInput;
  return tf.layers.add({ name: `${p}.add` }).apply([y, shortcut]) as SymbolicTensor;
}
