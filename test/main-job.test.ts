/**
 * The main job's wiring (train → reload → eval → validate) on a tiny synthetic run: the
 * default config's model and data are overridden so it takes seconds, not minutes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WASM_MAX_THREADS } from '../src/tfjs/backend/wasm-start.js';
import { ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';

describe('npm start (main job)', () => {
  it('trains on every core, reloads without naming the architecture, evaluates and validates', async () => {
    const out = path.join(tempDir(), 'run');
    const overrides = [
      'model={"class":"MLP","args":{"classes":10,"resolution":[1,28,28],"hidden":[16]}}',
      'data.dataset="synthetic"',
      'data.synthetic={"train":200,"test":100}',
      'data.trainLimit=null',
      'epochs=1',
      `output=${out}`,
    ].flatMap((s) => ['--set', s]);
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/main-job.ts', ...overrides],
        // wasm with no thread count set anywhere: npm start must use every core, and say so
        { cwd: ROOT, env: { ...withoutThreads(process.env), ARCHBUNDLE_BACKEND: 'wasm' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /== train: archbundle train --fallback-synthetic/);
    assert.match(stdout, /== evaluate the reloaded bundle: archbundle eval .*epoch-0001\.archbundle --data synthetic/);
    assert.match(stdout, /accuracy [0-9.]+%/);
    assert.match(stdout, /ok {4}.*epoch-0001\.archbundle \(MLP, 4 tensors/);
    assert.match(stdout, /main job finished in [0-9.]+ s/);
    const cores = os.availableParallelism();
    const threads = Math.min(cores, WASM_MAX_THREADS);
    assert.match(stdout, new RegExp(`main job: ${cores} cores available`));
    assert.match(stdout, new RegExp(`backend: wasm \\(${threads} threads?; requested wasm by ARCHBUNDLE_BACKEND\\)`));
    assert.match(stdout, new RegExp(`main job: trained on wasm with ${threads} threads? \\(every core\\)`));
  });
});

function withoutThreads(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { ARCHBUNDLE_THREADS: _, ...rest } = env;
  return rest;
}
