/**
 * A full disk during a checkpoint, for real: a small tmpfs (tests run as root, here and in CI)
 * holds the run's folder. The run fails with E_IO and says so in run.json, the previous bundle
 * stays intact and loads, and no temp file is left behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import '../src/node/files/node-sha256.js';
import { ArchbundleError } from '../src/core/errors.js';
import { writeFileAtomic } from '../src/node/files/atomic-file.js';
import { State } from '../src/node/state.js';
import { claimOutput } from '../src/node/sweep/index-file.js';
import { loadSweep } from '../src/node/sweep/load-sweep.js';
import { runOne } from '../src/node/sweep/run-one.js';
import { splitTar } from './helpers/tar-craft.js';
import { tempDir } from './helpers/tempdir.js';

const PAGE = 4096;

/** A tmpfs of `bytes` (rounded up to pages), unmounted and removed after the test file. */
function smallDisk(bytes: number): string {
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'archbundle-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / PAGE) * PAGE}`, 'tmpfs', mountPoint]);
  after(() => {
    execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });
  return mountPoint;
}

function temps(folder: string): string[] {
  return readdirSync(folder).filter((name) => name.endsWith('.tmp'));
}

const BASE = {
  // 784 × 96 weights and as much momentum: a bundle of about 600 KB, against run.json's few KB
  model: { class: 'MLP', args: { classes: 4, resolution: [1, 28, 28], hidden: [96] } },
  data: { dataset: 'synthetic', synthetic: { train: 64, test: 16, classes: 4, resolution: [1, 28, 28] }, batchSize: 32 },
  optimizer: { class: 'SGD', args: { learningRate: 0.05, momentum: 0.9 } },
  epochs: 3,
  checkpoint: { keepLast: 0, keepBest: null },
  backend: process.env.ARCHBUNDLE_TEST_BACKEND ?? 'wasm',
};

describe('a full disk during a checkpoint', () => {
  it('fails the run with E_IO; the previous bundle stays intact and no temp file is left', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ base: BASE, grid: { seed: [0] } }));
    // how large one epoch bundle is, measured on a disk with room
    const roomy = await loadSweep('sweep.json', { cwd: dir, output: 'roomy' });
    await claimOutput(roomy);
    const measured = await runOne(roomy, roomy.runs[0]!.id);
    assert.equal(measured.state, 'done', measured.record.reason);
    const bundleBytes = statSync(path.join(roomy.runs[0]!.config.output, 'epoch-0001.archbundle')).size;

    // room for the first bundle and the small files, not for a second bundle beside it
    const disk = smallDisk(bundleBytes * 1.5 + 64 * 1024);
    const sweep = await loadSweep('sweep.json', { cwd: dir, output: path.join(disk, 'out') });
    await claimOutput(sweep);
    const id = sweep.runs[0]!.id;
    const folder = sweep.runs[0]!.config.output;
    const outcome = await runOne(sweep, id);

    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.record.code, 'E_IO');
    assert.match(outcome.record.reason ?? '', /cannot write .*epoch-0002\.archbundle: ENOSPC/);
    const onDisk = JSON.parse(readFileSync(path.join(folder, 'run.json'), 'utf8')) as typeof outcome.record;
    assert.deepEqual(
      [onDisk.state, onDisk.code, onDisk.epochsDone, onDisk.lastBundle],
      ['failed', 'E_IO', 1, 'epoch-0001.archbundle'],
    );
    assert.deepEqual(temps(folder), [], 'no temp file left behind');
    assert.deepEqual(readdirSync(folder).filter((n) => n.endsWith('.archbundle')), ['epoch-0001.archbundle']);
    // the previous bundle is whole: it loads (checksums, schema, tensors)
    const state = await State.load(path.join(folder, 'epoch-0001.archbundle'));
    try {
      assert.equal(state.epoch, 1);
    } finally {
      state.model.dispose();
      state.optimizer?.dispose();
    }
    const weights = async (bundle: string) => Buffer.from((await splitTar(readFileSync(bundle))).get('weights.bin')!);
    assert.ok(
      (await weights(path.join(folder, 'epoch-0001.archbundle'))).equals(await weights(path.join(roomy.runs[0]!.config.output, 'epoch-0001.archbundle'))),
      "its weights are byte for byte those a disk with room got (training.json's timings differ)",
    );
  });

  it('an atomic write that runs out of space throws E_IO, keeps the old file and removes its temp file', async () => {
    const disk = smallDisk(64 * 1024);
    const target = path.join(disk, 'file.bin');
    await writeFileAtomic(target, [new Uint8Array(16 * 1024).fill(1)]);
    await assert.rejects(
      writeFileAtomic(target, [new Uint8Array(40 * 1024).fill(2), new Uint8Array(40 * 1024).fill(3)]),
      (error: unknown) => error instanceof ArchbundleError && error.code === 'E_IO' && /ENOSPC/.test(error.message),
    );
    assert.deepEqual(readFileSync(target), Buffer.from(new Uint8Array(16 * 1024).fill(1)));
    assert.deepEqual(temps(disk), []);
  });
});
