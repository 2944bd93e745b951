/**
 * The main job's wiring (train → reload → eval → validate) on a tiny synthetic run: the
 * default config's model and data are overridden so it takes seconds, not minutes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';

describe('npm start (main job)', () => {
  it('trains, reloads without naming the architecture, evaluates and validates', async () => {
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
        { cwd: ROOT, env: { ...process.env, ARCHBUNDLE_BACKEND: 'cpu' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /== train: archbundle train --fallback-synthetic/);
    assert.match(stdout, /== evaluate the reloaded bundle: archbundle eval .*epoch-0001\.archbundle --data synthetic/);
    assert.match(stdout, /accuracy [0-9.]+%/);
    assert.match(stdout, /ok {4}.*epoch-0001\.archbundle \(MLP, 4 tensors/);
    assert.match(stdout, /main job finished in [0-9.]+ s/);
  });
});
