/**
 * Tensor bytes of every stored dtype and awkward shape (scalar, zero-length, unaligned lengths)
 * survive the writer and the reader exactly, whatever the input's chunking, and from a file
 * read at offsets with reads finishing out of order.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useTestBackend } from './helpers/backend.js';
import { scrambledFile } from './helpers/memory-file.js';
import { tempDir } from './helpers/tempdir.js';
import { type TensorGroup, bundleChunks, type TensorSource } from '../src/core/index.js';
import { ArchbundleError, openBundleFile, type BundleSource, readBundle } from '../src/index.js';
import { tensorFromBytes } from '../src/tfjs/bundle/tensor-bytes.js';

before(useTestBackend);
const folder = tempDir();

const MLP_ARGS = { classes: 2, resolution: [1, 1, 1], bias: true, clamp: false, whitening: null, hidden: [], activation: 'relu', dropout: 0 };

function source(name: string, dtype: TensorSource['dtype'], shape: number[], data: Uint8Array): TensorSource {
  return { name, dtype, shape, bytes: () => data };
}

it('int32, bool, scalar, zero-length and odd-length tensors round-trip through any chunking', async () => {
  const tensors = [
    source('a', 'int32', [3], new Uint8Array(new Int32Array([-1, 2 ** 31 - 1, 7]).buffer)),
    source('b', 'bool', [5], Uint8Array.from([1, 0, 1, 1, 0])),
    source('c', 'float32', [], new Uint8Array(new Float32Array([Math.PI]).buffer)),
    source('d', 'float32', [0, 4], new Uint8Array(0)),
    source('e', 'bool', [1], Uint8Array.from([1])),
    source('f', 'float32', [2, 0], new Uint8Array(0)),
  ];
  const parts: Uint8Array[] = [];
  for await (const chunk of bundleChunks({
    arch: { class: 'MLP', schemaId: 'urn:archbundle:architecture:MLP', schemaVersion: 1, args: MLP_ARGS },
    weights: tensors,
    optimizer: { class: 'SGD', args: { learningRate: 0.1 }, learningRate: 0.1, step: 3, tensors: [source('a/momentum', 'int32', [1], new Uint8Array(4))] },
    training: { epoch: 0, globalStep: 0, metrics: [], random: { seed: 0, counter: 0 } },
    tfjsVersion: tf.version.tfjs,
  })) parts.push(Uint8Array.from(chunk));
  const bytes = Buffer.concat(parts);

  const file = join(folder, 'tensors.bundle');
  writeFileSync(file, bytes);
  const inputs: [string, () => Promise<BundleSource>][] = [1, 13, 512, 4096, bytes.length].map((size) => {
    const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
    return [`${size}-byte chunks`, async () => (async function* () { yield* chunks; })()];
  });
  inputs.push(['a file read out of order', async () => scrambledFile(bytes)], ['a file on disk', () => openBundleFile(file)]);
  for (const [what, input] of inputs) {
    const got = new Map<string, Uint8Array>();
    const contents = await readBundle(await input(), {
      receiver: {
        tensor: (group: TensorGroup, record) => {
          const target = new Uint8Array(record.byteLength);
          return { target, end: () => void got.set(`${group}:${record.name}`, target) };
        },
      },
    });
    assert.deepEqual(contents.weights.map((r) => r.byteOffset), [0, 64, 128, 192, 192, 256]);
    for (const t of tensors) assert.deepEqual(got.get(`weights:${t.name}`), t.bytes(), `${t.name} from ${what}`);
    assert.deepEqual(got.get('optimizer:a/momentum'), new Uint8Array(4));
    assert.equal(contents.optimizer!.step, 3);
  }
});

it('bool bytes other than 0 and 1 are refused when tensors are made', () => {
  const record = { name: 'mask', dtype: 'bool' as const, shape: [2], byteOffset: 0, byteLength: 2 };
  const t = tensorFromBytes(record, Uint8Array.from([0, 1]));
  assert.deepEqual(Array.from(t.dataSync()), [0, 1]);
  t.dispose();
  assert.throws(() => tensorFromBytes(record, Uint8Array.from([0, 2])), (e: unknown) => e instanceof ArchbundleError && e.code === 'E_TENSOR_TABLE');
});
