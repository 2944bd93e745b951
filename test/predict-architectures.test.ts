/**
 * `archbundle predict` works for every registered architecture: a tiny instance of each (its
 * schema's example arguments), saved with an input contract, predicts a PNG and a .npy batch
 * with exactly the logits the model computes on the same values, labels from the contract.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { useTestBackend } from './helpers/backend.js';
import { float32Bytes, npyBytes } from './helpers/array-files.js';
import { tempDir } from './helpers/tempdir.js';
import { architectures, inputContract, seedRandom, State } from '../src/index.js';
import { instantiate } from '../src/train.js';
import { bufferIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';

const dir = tempDir();
before(useTestBackend);

describe('predict on every registered architecture', () => {
  for (const name of architectures.names()) {
    it(name, async () => {
      const example = (architectures.get(name).schema.examples as Record<string, unknown>[])[0]!;
      seedRandom(3);
      const model = instantiate(name, example);
      const { classes, resolution } = model.args as { classes: number; resolution: [number, number, number] };
      const [channels, height, width] = resolution;
      const labels = Array.from({ length: classes }, (_, i) => `${name} class ${i}`);
      const bundle = path.join(dir, `${name}.archbundle`);
      try {
        await new State(model, undefined, undefined, 0, {}, inputContract({ resolution, labels })).save(bundle);
        const size = height * width * channels;
        const pixels = Uint8Array.from({ length: size }, (_, i) => (i * 29 + 11) % 256);
        const image = sharp(Buffer.from(pixels), { raw: { width, height, channels: channels as 1 | 3 } });
        await (channels === 1 ? image.toColourspace('b-w') : image).png().toFile(path.join(dir, `${name}.png`));
        const floats = Array.from({ length: 2 * size }, (_, i) => Math.fround(Math.cos(i / 3)));
        writeFileSync(path.join(dir, `${name}.npy`), npyBytes({ descr: '<f4', shape: [2, height, width, channels], data: float32Bytes(floats) }));

        const io = bufferIo({ cwd: dir });
        const code = await main(['predict', `${name}.archbundle`, `${name}.png`, `${name}.npy`, '--json', '--top', '2', '--backend', tf.getBackend(), '--engine', 'tfjs'], io);
        assert.equal(code, 0, io.stderr);
        const { predictions } = JSON.parse(io.stdout) as { predictions: { input: string; logits: number[]; top: { class: number; label: string }[] }[] };
        assert.deepEqual(predictions.map((p) => p.input), [`${name}.png`, `${name}.npy[0]`, `${name}.npy[1]`]);

        // the same values, in one batch as predict sends them
        const x = new Float32Array(3 * size);
        x.set(Float32Array.from(pixels, (v) => v * (1 / 255)), 0);
        x.set(floats, size);
        const expected = tf.tidy(() => model.predict(tf.tensor4d(x, [3, height, width, channels])).arraySync());
        assert.deepEqual(predictions.map((p) => p.logits), expected);
        for (const p of predictions) for (const t of p.top) assert.equal(t.label, labels[t.class]);
      } finally {
        model.dispose();
      }
    });
  }
});
