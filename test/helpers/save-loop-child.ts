import { bundleChunks, type TensorSource } from '../../src/core/index.js';
import { writeFileAtomic } from '../../src/node/files/atomic-file.js';
// Child process for the crash test: saves bundles to one path in a loop, with the same writer and
// atomic file code State.save uses (without TF.js, so the child starts fast), until killed.

const path = process.argv[2]!;
const shapes: [string, number[]][] = [['fc1/kernel', [784, 1024]], ['fc1/bias', [1024]], ['logits/kernel', [1024, 10]], ['logits/bias', [10]]];

function tensors(fill: number): TensorSource[] {
  return shapes.map(([name, shape]) => ({
    name,
    dtype: 'float32',
    shape,
    bytes: () => {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill);
      return new Uint8Array(data.buffer);
    },
  }));
}

for (let epoch = 1; ; epoch++) {
  await writeFileAtomic(
    path,
    bundleChunks({
      arch: {
        class: 'MLP',
        schemaId: 'urn:archbundle:architecture:MLP',
        schemaVersion: 1,
        args: { classes: 10, resolution: [1, 28, 28], bias: true, clamp: false, whitening: null, hidden: [1024], activation: 'relu', dropout: 0 },
      },
      weights: tensors(epoch),
      training: { epoch, globalStep: epoch, metrics: [], random: { seed: 1, counter: epoch } },
      tfjsVersion: 'none',
    }),
  );
  process.stdout.write(`saved ${epoch}\n`);
}
