/**
 * Two user architectures for the ONNX tests, registered like any user's: one built from every
 * other layer kind the exporter converts (strided 'same' convolutions on even sizes, dilation,
 * batch norms folded and standalone, merges, concatenation on channels and on features, padding,
 * average pooling with 'same' padding, global pools, more activations), and one with a layer ONNX
 * export does not support (UpSampling2D), which must be refused by name.
 */
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { registerArchitecture, architectures } from '../../src/index.js';
import mlp from '../../architectures/mlp/build.js';

export const LAYER_ZOO = 'OnnxLayerZoo';
export const UNSUPPORTED = 'OnnxUpsampling';

export function registerOnnxTestArchitectures(): void {
  if (architectures.has(LAYER_ZOO)) return;
  registerArchitecture({
    ...mlp,
    name: LAYER_ZOO,
    schema: { ...mlp.schema, $id: `urn:archbundle:test:${LAYER_ZOO}`, examples: [{ classes: 4, resolution: [2, 10, 10] }] },
    build(b, args) {
      const { tf } = b;
      const apply = (layer: { apply(x: SymbolicTensor | SymbolicTensor[]): unknown }, x: SymbolicTensor | SymbolicTensor[]) => layer.apply(x) as SymbolicTensor;
      b.append(tf.layers.conv2d({ name: 'strided', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }));
      b.append(tf.layers.batchNormalization({ name: 'bn_alone', center: false, epsilon: 1e-3 }));
      b.appendBlock('branches', (x) => {
        const dilated = apply(tf.layers.conv2d({ name: 'dilated', filters: 3, kernelSize: 2, dilationRate: 2, padding: 'same' }), x);
        const leaky = apply(tf.layers.leakyReLU({ name: 'leaky', alpha: 0.2 }), apply(tf.layers.conv2d({ name: 'pointwise', filters: 3, kernelSize: 1 }), x));
        const sum = apply(tf.layers.add({ name: 'sum' }), [dilated, leaky]);
        const product = apply(tf.layers.multiply({ name: 'product' }), [dilated, leaky]);
        const larger = apply(tf.layers.maximum({ name: 'larger' }), [sum, product]);
        const mean = apply(tf.layers.average({ name: 'mean' }), [larger, apply(tf.layers.minimum({ name: 'smaller' }), [sum, product])]);
        return apply(tf.layers.concatenate({ name: 'channels', axis: -1 }), [mean, apply(tf.layers.elu({ name: 'elu' }), x)]);
      });
      b.append(tf.layers.zeroPadding2d({ name: 'pad', padding: [[1, 0], [0, 2]] }));
      b.append(tf.layers.averagePooling2d({ name: 'avg', poolSize: 3, strides: 2, padding: 'same' }));
      b.append(tf.layers.conv2d({ name: 'conv_bn', filters: 5, kernelSize: 2, padding: 'valid', useBias: false }));
      b.append(tf.layers.batchNormalization({ name: 'bn_folded' }));
      b.append(tf.layers.activation({ name: 'selu', activation: 'selu' }));
      b.appendBlock('pools', (x) => apply(tf.layers.concatenate({ name: 'features' }), [
        apply(tf.layers.globalMaxPooling2d({ name: 'gmax' }), x),
        apply(tf.layers.globalAveragePooling2d({ name: 'gavg' }), x),
      ]));
      b.append(tf.layers.dense({ name: 'hidden', units: 6, activation: 'sigmoid' }));
      b.append(tf.layers.batchNormalization({ name: 'bn_flat' }));
      b.append(tf.layers.activation({ name: 'softplus', activation: 'softplus' }));
      b.append(tf.layers.activation({ name: 'hard', activation: 'hardSigmoid' }));
      b.append(tf.layers.dropout({ name: 'drop', rate: 0.3 }));
      b.append(tf.layers.dense({ name: 'soft', units: 5, activation: 'softmax' }));
      b.append(tf.layers.dense({ name: 'logits', units: args.classes, activation: 'tanh' }));
    },
  });
  registerArchitecture({
    ...mlp,
    name: UNSUPPORTED,
    schema: { ...mlp.schema, $id: `urn:archbundle:test:${UNSUPPORTED}`, examples: [{ classes: 3, resolution: [1, 6, 6] }] },
    build(b, args) {
      const { tf } = b;
      b.append(tf.layers.upSampling2d({ name: 'up', size: [2, 2] }));
      b.append(tf.layers.flatten({ name: 'flatten' }));
      b.append(b.dense('logits', { units: args.classes, bias: true }));
    },
  });
}
