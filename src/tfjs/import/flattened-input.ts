/** Which layers of a built model take a flattened spatial map, and its [C, H, W]: PyTorch and TF.js flatten in different orders. */
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier.js';
import type { FlattenedInputShape } from '../../core/torch/weight-names.js';

export function flattenedInputShapes(model: Classifier): FlattenedInputShape {
  const layers = model.net.layers;
  return (modulePath) => {
    const index = layers.findIndex((l) => l.name === modulePath);
    const previous = index > 0 ? layers[index - 1] : undefined;
    if (!previous || previous.getClassName() !== 'Flatten') return null;
    const shape = (previous.input as tf.SymbolicTensor).shape;
    if (shape.length !== 4) return null;
    const [, height, width, channels] = shape as number[];
    return [channels!, height!, width!];
  };
}
