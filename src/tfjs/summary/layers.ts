/** The layer table and the architecture diagram's graph, read off the model's TF.js LayersModel. */
import type * as tf from '@tensorflow/tfjs';
import type { SummaryLayer } from '../../core/viewer-protocol.js';

export function summarizeLayers(net: tf.LayersModel): SummaryLayer[] {
  return net.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: firstShape(layer.outputShape),
    parameters: layer.countParams(),
    // a layer of this model is applied once, so its first inbound node holds all its inputs
    inputs: (layer.inboundNodes[0]?.inboundLayers ?? []).map((l) => l.name),
  }));
}

/** Every architecture's layer has one output; TF.js types allow a list for multi-output layers. */
function firstShape(shape: tf.Shape | tf.Shape[]): (number | null)[] {
  const first = shape[0];
  return Array.isArray(first) ? [...(first as tf.Shape)] : [...(shape as tf.Shape)];
}
