import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../src/index.js';
import { checkBackendInternals, cpuValues, TESTED_TFJS_RANGE, wasmHeapBytes } from '../src/tfjs/backend/tfjs-internals.js';
import { storageTarget, tensorSource } from '../src/tfjs/bundle/tensor-bytes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Backend = Record<string, unknown> & { numDataIds(): number };

/**
 * Runs `body` with `backend[key]` removed (an own field) or shadowed by `value` (a prototype
 * method), restoring the backend afterwards.
 */
async function without(backend: Backend, key: string, body: () => Promise<void>, value?: unknown): Promise<void> {
  const own = Object.getOwnPropertyDescriptor(backend, key);
  if (own) delete backend[key];
  if (value !== undefined || !own) Object.defineProperty(backend, key, { value, configurable: true, writable: true });
  try {
    await body();
  } finally {
    delete backend[key];
    if (own) Object.defineProperty(backend, key, own);
  }
}

function refused(backendName: string, fields: string[], versions: string[]): (error: unknown) => boolean {
  return (error: unknown) => {
    const e = error as { code?: string; message: string; issues?: { pointer: string }[] };
    assert.equal(e.code, 'E_BACKEND');
    assert.match(e.message, new RegExp(`"${backendName}" backend`));
    for (const field of fields) assert.ok(e.message.includes(`${field} is missing`), `message names ${field}: ${e.message}`);
    for (const version of versions) assert.ok(e.message.includes(version), `message names ${version}: ${e.message}`);
    assert.ok(e.message.includes(TESTED_TFJS_RANGE));
    assert.deepEqual(e.issues?.map((i) => i.pointer), fields.map((f) => '/' + f.replaceAll('.', '/')));
    return true;
  };
}

describe('TF.js internals', () => {
  for (const name of ['wasm', 'cpu'] as const) {
    it(`the ${name} backend has every field archbundle relies on, and the check leaves no data behind`, async () => {
      await selectBackend(name);
      const backend = tf.backend() as unknown as Backend;
      const ids = backend.numDataIds();
      await checkBackendInternals(name);
      assert.equal(backend.numDataIds(), ids);
    });
  }

  for (const name of ['wasm', 'cpu'] as const) {
    it(`on ${name}, a tensor's bytes are read and written in the backend's own storage`, async () => {
      await selectBackend(name);
      const tensor = tf.tensor1d([1, 2, 3]);
      const storage = name === 'wasm' ? wasmHeapBytes(tensor.dataId, 12)!.buffer : cpuValues(tensor.dataId)!.buffer;
      const source = tensorSource('t', tensor).bytes() as Uint8Array;
      assert.equal(source.buffer, storage);
      assert.deepEqual([...new Float32Array(source.buffer, source.byteOffset, 3)], [1, 2, 3]);
      const target = storageTarget(tensor)!;
      assert.equal(target.buffer, storage);
      target.set(new Uint8Array(new Float32Array([4, 5, 6]).buffer));
      assert.deepEqual([...tensor.dataSync()], [4, 5, 6]);
      tensor.dispose();
    });
  }

  it('a wasm backend lacking a field is refused with E_BACKEND naming it and the versions', async () => {
    await selectBackend('wasm');
    const backend = tf.backend() as unknown as Backend;
    const versions = [`@tensorflow/tfjs-core ${tf.version_core}`, `@tensorflow/tfjs-backend-wasm ${version_wasm}`];
    await without(backend, 'dataIdMap', () => assert.rejects(checkBackendInternals('wasm', backend), refused('wasm', ['dataIdMap'], versions)));
    await without(backend, 'typedArrayFromHeap', () => assert.rejects(checkBackendInternals('wasm', backend), refused('wasm', ['typedArrayFromHeap'], versions)));
    const module = backend.wasm as Backend;
    await without(module, 'tfjs', () => assert.rejects(checkBackendInternals('wasm', backend), refused('wasm', ['wasm.tfjs.disposeData'], versions)), {});
    await checkBackendInternals('wasm', backend);
  });

  it('a cpu backend lacking a field is refused with E_BACKEND naming it and the version', async () => {
    await selectBackend('cpu');
    const backend = tf.backend() as unknown as Backend;
    const versions = [`@tensorflow/tfjs-core ${tf.version_core}`];
    await without(backend, 'firstUse', () => assert.rejects(checkBackendInternals('cpu', backend), refused('cpu', ['firstUse'], versions)));
    await without(backend, 'data', () => assert.rejects(checkBackendInternals('cpu', backend), refused('cpu', ['data.get'], versions)), {});
    await checkBackendInternals('cpu', backend);
  });

  it('selectBackend runs the check', async () => {
    await selectBackend('cpu');
    const backend = tf.backend() as unknown as Backend;
    await without(backend, 'firstUse', () => assert.rejects(selectBackend('cpu'), refused('cpu', ['firstUse'], [tf.version_core])));
    assert.equal((await selectBackend('cpu')).name, 'cpu');
  });

  it('package.json and the lock file pin TF.js to the tested range', async () => {
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    const root = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')).packages[''];
    for (const entry of [manifest, root]) {
      assert.equal(entry.dependencies['@tensorflow/tfjs'], TESTED_TFJS_RANGE);
      assert.equal(entry.dependencies['@tensorflow/tfjs-backend-wasm'], TESTED_TFJS_RANGE);
      assert.equal(entry.peerDependencies['@tensorflow/tfjs-node'], TESTED_TFJS_RANGE);
      assert.equal(entry.peerDependencies['@tensorflow/tfjs-node-gpu'], TESTED_TFJS_RANGE);
    }
  });

  it('no other source file reaches into TF.js backends', async () => {
    const internals = /\b(dataIdMap|HEAPU8|firstUse|BackendWasm|MathBackendCPU)\b|\bbackend\(\) as\b|\.data\.get\(/;
    const offenders: string[] = [];
    for (const entry of await readdir(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = relative(ROOT, join(entry.parentPath, entry.name)).replaceAll('\\', '/');
      if (file === 'src/tfjs/backend/tfjs-internals.ts') continue;
      const lines = (await readFile(join(ROOT, file), 'utf8')).split('\n');
      lines.forEach((line, i) => internals.test(line) && offenders.push(`${file}:${i + 1}: ${line.trim()}`));
    }
    assert.deepEqual(offenders, []);
  });
});
