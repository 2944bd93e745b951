import * as tf from '@tensorflow/tfjs';
import { batchNormInTraining, batchNormTrainingPath } from '../backend/wasm-kernels/batch-norm-training.js';

type BatchNormalizationArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type Kwargs = Record<string, unknown>;

/** TF.js's BatchNormalization class: the package exports only its factory, the class is registered for deserialisation. */
const TfjsBatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization']![0] as unknown as
  new (args: BatchNormalizationArgs) => tf.layers.Layer;

/** The private fields of TF.js's BatchNormalization that its training call reads (checked at each call). */
interface BatchNormalizationFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tf.LayerVariable;
  beta?: tf.LayerVariable;
  movingMean?: tf.LayerVariable;
  movingVariance?: tf.LayerVariable;
}

/**
 * TF.js's BatchNormalization with a faster training step: normalising over every axis but the
 * last (channels-last, as every archbundle architecture is built) goes through
 * `batchNormInTraining`, whose forward and closed-form gradient read the activation in 11
 * full-size passes instead of 18. Same weights, names, class name and running-statistics
 * update as TF.js's layer; inference and any other axis use TF.js's own call.
 */
export class BatchNormalization extends TfjsBatchNormalization {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const fields = this as unknown as BatchNormalizationFields;
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const { gamma, beta, movingMean, movingVariance } = fields;
    const lastAxis = x !== undefined && (fields.axis === -1 || fields.axis === x.rank - 1);
    if (!batchNormTrainingPath.fused || !kwargs['training'] || !x || x.rank < 2 || !lastAxis || !gamma || !beta || !movingMean || !movingVariance) {
      return super.call(inputs, kwargs);
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormInTraining(x, gamma.read() as tf.Tensor1D, beta.read() as tf.Tensor1D, fields.epsilon);
      // As TF.js's layer: moving = moving - (moving - batch) * (1 - momentum).
      for (const [variable, value] of [[movingMean, mean], [movingVariance, variance]] as const) {
        const current = variable.read();
        variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - fields.momentum)));
      }
      mean.dispose();
      variance.dispose();
      return y;
    });
  }
}
