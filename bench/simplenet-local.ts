import * as tf from '@tensorflow/tfjs';

/**
 * The seed's SimpleNet layer plan, exactly as the PyTorch peer (peers/torch_simplenet.py) builds
 * it: 13 conv blocks (conv, batch norm, ReLU, max-pool after some), blocks 9-10 only at >= 32x32,
 * a global max-pool and a linear layer. Used by bench:train until architectures/simplenet lands.
 */
export function simplenetPlan(c: number, h: number, w: number): [number, number, boolean][] {
  const big = h >= 32 && w >= 32;
  const plan: [number, number, boolean][] = [
    [c, 3, false], [2 * c, 3, false], [2 * c, 3, false], [2 * c, 3, true],
    [2 * c, 3, false], [2 * c, 3, false], [4 * c, 3, true],
    [big ? 4 * c : 8 * c, 3, false],
  ];
  if (big) plan.push([4 * c, 3, true], [8 * c, 3, true]);
  plan.push([32 * c, 1, false], [4 * c, 1, true], [4 * c, 3, false]);
  return plan;
}

export function buildLocalSimpleNet(classes: number, resolution: [number, number, number], channels: number, seed = 0): tf.LayersModel {
  const [cin, h, w] = resolution;
  const input = tf.input({ shape: [h, w, cin] });
  let x: tf.SymbolicTensor = input;
  let pools = 0;
  let s = seed;
  for (const [i, [cout, k, pool]] of simplenetPlan(channels, h, w).entries()) {
    x = tf.layers.conv2d({
      name: `conv${i}`, filters: cout, kernelSize: k, padding: 'same',
      kernelInitializer: tf.initializers.heNormal({ seed: s++ }),
    }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `bn${i}`, momentum: 0.9, epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${i}` }).apply(x) as tf.SymbolicTensor;
    if (pool) {
      x = tf.layers.maxPooling2d({ name: `pool${i}`, poolSize: 2 }).apply(x) as tf.SymbolicTensor;
      pools++;
    }
  }
  const size: [number, number] = [Math.floor(h / 2 ** pools), Math.floor(w / 2 ** pools)];
  x = tf.layers.maxPooling2d({ name: 'global_pool', poolSize: size }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: tf.initializers.heNormal({ seed: s++ }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'SimpleNet' });
}
