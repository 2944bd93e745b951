import type { ClassifierBuilder } from '../../src/tfjs/classifier.js';
import type { NormalizationKind } from '../../src/core/group-count.js';
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { EXPANSION, type UnitKind } from './spec.js';

/** What every residual unit of a ResNet needs to know. */
export interface UnitOptions {
  /** Prefix of every layer name in the unit, e.g. "block1.0" (PyTorch's module path). */
  prefix: string;
  inPlanes: number;
  planes: number;
  stride: number;
  normalization: NormalizationKind;
  /**
   * Bias of the projection shortcut's convolution (the reference implementation's include_bias);
   * unit convolutions have none.
   */
  bias: boolean;
  zeroResiduals: boolean;
}

/**
 * One residual unit, as the reference implementation's ResNetBlock / ResNetBottleneckBlock: the branch
 * (conv, norm, relu, ...; the last norm's gamma at zero with zeroResiduals), plus the identity
 * or, when the shape changes, a 1x1 projection with normalisation; then relu.
 */
export function residualUnit(b: ClassifierBuilder, kind: UnitKind, o: UnitOptions, x: SymbolicTensor): SymbolicTensor {
  const { tf } = b;
  const p = o.prefix;
  const outPlanes = o.planes * EXPANSION[kind];
  const conv = (input: SymbolicTensor, name: string, filters: number, kernelSize: number, strides: number, bias = false) =>
    b.applyConv2d(input, `${p}.${name}`, { filters, kernelSize, strides, bias, fanMode: 'fanOut' });
  const norm = (input: SymbolicTensor, name: string, channels: number, zeroGamma = false) =>
    b.applyNormalization(input, `${p}.${name}`, o.normalization, channels, { zeroGamma });
  const relu = (name: string) => b.activation(`${p}.${name}`, 'relu');

  let y: SymbolicTensor;
  if (kind === 'basic') {
    y = conv(x, 'conv1', o.planes, 3, o.stride);
    y = relu('relu1').apply(norm(y, 'norm1', o.planes)) as SymbolicTensor;
    y = conv(y, 'conv2', o.planes, 3, 1);
    y = norm(y, 'norm2', o.planes, o.zeroResiduals);
  } else {
    y = conv(x, 'conv1', o.planes, 1, 1);
    y = relu('relu1').apply(norm(y, 'norm1', o.planes)) as SymbolicTensor;
    y = conv(y, 'conv2', o.planes, 3, o.stride);
    y = relu('relu2').apply(norm(y, 'norm2', o.planes)) as SymbolicTensor;
    y = conv(y, 'conv3', outPlanes, 1, 1);
    y = norm(y, 'norm3', outPlanes, o.zeroResiduals);
  }

  let identity = x;
  if (o.stride !== 1 || o.inPlanes !== outPlanes) {
    identity = conv(x, 'downsample.0', outPlanes, 1, o.stride, o.bias);
    identity = norm(identity, 'downsample.1', outPlanes);
  }
  const sum = tf.layers.add({ name: `${p}.add` }).apply([y, identity]) as SymbolicTensor;
  return relu(kind === 'basic' ? 'relu2' : 'relu3').apply(sum) as SymbolicTensor;
}
