/**
 * Atomic saves under kill -9: a child saves to one path in a loop and is killed with SIGKILL at
 * random moments; the path must always hold a complete, valid bundle (the previous or the new one).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { readBundle } from '../src/index.js';

const KILLS = 12;
let folder: string;

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'archbundle-crash-'));
});
after(() => rm(folder, { recursive: true, force: true }));

/** Starts the save loop; resolves once `saves` saves completed, returning the child and the epochs seen. */
function startLoop(path: string): { child: ReturnType<typeof spawn>; saved: number[]; firstSave: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/save-loop-child.ts', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const saved: number[] = [];
  const firstSave = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/saved (\d+)/g)) saved.push(Number(m[1]));
      if (saved.length > 0) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`save loop exited early: ${code ?? signal}`)));
  });
  return { child, saved, firstSave };
}

it(`the target always holds a valid bundle across ${KILLS} SIGKILLs at random moments of a save`, { timeout: 240_000 }, async () => {
  const path = join(folder, 'model.bundle');
  const epochs: number[] = [];
  for (let round = 0; round < KILLS; round++) {
    const { child, firstSave } = startLoop(path);
    await firstSave;
    // the child saves in a loop, so a random delay lands some kills in the middle of a save
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 150)));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const contents = await readBundle(createReadStream(path));
    assert.equal(contents.arch.class, 'MLP');
    epochs.push(contents.training.epoch);
  }
  const leftovers = (await readdir(folder)).filter((n) => n !== 'model.bundle');
  assert.ok(leftovers.every((n) => n.startsWith('.model.bundle.') && n.endsWith('.tmp')), `only temp files are left: ${leftovers}`);
  assert.ok(epochs.every((e) => e >= 1));
  // each leftover temp file is a save the kill interrupted: the test must have hit that window
  assert.ok(leftovers.length >= KILLS / 4, `only ${leftovers.length} of ${KILLS} kills landed inside a save`);
  console.log(`crash test: ${leftovers.length} of ${KILLS} kills interrupted a save; epochs found: ${epochs.join(' ')}`);
});
