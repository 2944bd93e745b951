/**
 * The wasm backend's threads under Node: the threaded SIMD build runs with the count asked for
 * (ARCHBUNDLE_THREADS, --threads, the config), reports it, and stays deterministic: for every
 * registered architecture (and SimpleNet at the benchmark's size) training twice gives the same
 * bits, resuming from a bundle gives the same bits, a bundle loaded straight into the shared heap
 * holds the bundle's bytes; and 1 and 2 threads give the same bits (XNNPACK splits output tiles
 * between threads, never a reduction). Each count runs in a child: the backend starts once per process.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tempdir.js';
import { architectures } from '../src/index.js';
import { parseThreads, requestedThreads } from '../src/tfjs/backend/threads.js';

interface CaseResult {
  first: string;
  second: string;
  resumed: string;
  loadedEqualsStored: boolean;
}
interface ChildReport {
  threads: number;
  notes: string[];
  concurrentAgree: boolean;
  sharedHeap: boolean;
  results: Record<string, CaseResult>;
}

function child<T>(script: string, env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
    });
  });
}

const reports = new Map<number, Promise<ChildReport>>();
function report(threads: number): Promise<ChildReport> {
  if (!reports.has(threads)) reports.set(threads, child<ChildReport>('test/helpers/threads-child.ts', { ARCHBUNDLE_THREADS: String(threads), ARCHBUNDLE_BACKEND: 'wasm' }));
  return reports.get(threads)!;
}

const CASES = [...architectures.list().map((d) => d.name), 'SimpleNet-bench'];

describe('wasm threads', () => {
  for (const threads of [1, 2]) {
    it(`at ${threads} thread(s): the backend runs ${threads}, ${threads > 1 ? 'on a shared heap' : 'on the single-thread build'}, and every case is deterministic, resumes and loads bit for bit`, async () => {
      const r = await report(threads);
      assert.equal(r.threads, threads);
      assert.deepEqual(r.notes, []);
      assert.ok(r.concurrentAgree, 'two selections made at once both succeed with the same threads');
      assert.equal(r.sharedHeap, threads > 1, 'the threaded build shares its heap (a SharedArrayBuffer); the single-thread build does not');
      assert.deepEqual(Object.keys(r.results), CASES);
      for (const [name, c] of Object.entries(r.results)) {
        assert.equal(c.second, c.first, `${name}: a second run with a checkpoint in between differs`);
        assert.equal(c.resumed, c.first, `${name}: resuming from the bundle differs from training straight through`);
        assert.ok(c.loadedEqualsStored, `${name}: the weights loaded into the heap differ from the bundle's bytes`);
      }
    });
  }

  it('1 and 2 threads train to the same bits for every case', async () => {
    const [one, two] = await Promise.all([report(1), report(2)]);
    for (const name of CASES) assert.equal(two.results[name]!.first, one.results[name]!.first, `${name}: 2 threads differ from 1`);
  });

  it('without SharedArrayBuffer the single-thread SIMD build runs, and a note says why', async () => {
    const r = await child<{ threads: number; notes: string[]; sum: number[] }>('test/helpers/threads-fallback-child.ts', {});
    assert.equal(r.threads, 1);
    assert.deepEqual(r.sum, [4, 6]);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0]!, /the threaded wasm build could not start \(.*SharedArrayBuffer.*\); using the single-thread SIMD build/);
  });

  it('the count: argument, then ARCHBUNDLE_THREADS, then the config, then every core; anything but a whole number >= 1 is refused', () => {
    const saved = process.env.ARCHBUNDLE_THREADS;
    try {
      process.env.ARCHBUNDLE_THREADS = '3';
      assert.deepEqual(requestedThreads({ threads: 2, configThreads: 4 }), { threads: 2, source: 'argument' });
      assert.deepEqual(requestedThreads({ configThreads: 4 }), { threads: 3, source: 'ARCHBUNDLE_THREADS' });
      delete process.env.ARCHBUNDLE_THREADS;
      assert.deepEqual(requestedThreads({ configThreads: 4 }), { threads: 4, source: 'config' });
      assert.equal(requestedThreads({}).source, 'default');
      for (const bad of ['0', '-1', '1.5', 'two', '']) assert.throws(() => parseThreads(bad, 'ARCHBUNDLE_THREADS'), /ARCHBUNDLE_THREADS must be a whole number of threads ≥ 1/);
      assert.throws(() => requestedThreads({ threads: 0 }), (e: Error & { code?: string }) => e.code === 'E_BACKEND');
    } finally {
      if (saved === undefined) delete process.env.ARCHBUNDLE_THREADS;
      else process.env.ARCHBUNDLE_THREADS = saved;
    }
  });

  it('--threads must be a whole number >= 1 (exit 2), and ARCHBUNDLE_THREADS=0 fails with E_BACKEND (exit 1)', async () => {
    const cwd = tempDir();
    const usage = await runCli(['eval', 'x.archbundle', '--threads', '0'], { cwd });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--threads must be a whole number >= 1, received "0"/);
    const env = await runCli(['eval', 'x.archbundle'], { cwd, env: { ARCHBUNDLE_THREADS: '0' } });
    assert.equal(env.code, 1);
    assert.match(env.stderr, /E_BACKEND: ARCHBUNDLE_THREADS must be a whole number of threads ≥ 1, received "0"/);
  });
});
