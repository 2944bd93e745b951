import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../src/index.js';
import { bufferIo } from '../src/node/cli/io.js';
import { progressPrinter } from '../src/node/cli/progress.js';

function events(steps: number): SessionEvent[] {
  const out: SessionEvent[] = [{ kind: 'epoch-start', epoch: 1, epochs: 2, steps }];
  for (let step = 1; step <= steps; step += 1) {
    out.push({ kind: 'step', epoch: 1, epochs: 2, step, steps, loss: 1 / step, accuracy: step / steps, imagesPerSecond: 100, etaSeconds: 75 });
  }
  out.push({
    kind: 'epoch-end',
    metrics: { epoch: 1, step: steps, loss: 0.5, accuracy: 0.8, val_loss: 0.4, val_accuracy: 0.85, learningRate: 0.01, imagesPerSecond: 100, seconds: 3.2 },
  });
  return out;
}

describe('progress output', () => {
  it('the backend line says the threads the backend computes with, then any note on its own line', () => {
    const io = bufferIo({ isTTY: false });
    const print = progressPrinter(io);
    const info = {
      requested: 'auto', source: 'default', name: 'wasm', tfjsName: 'wasm', threadsRequested: 2, threadsSource: 'default',
      skipped: [{ name: 'tensorflow', reason: '@tensorflow/tfjs-node is not installed' }],
    } as const;
    print({ kind: 'backend', info: { ...info, skipped: [...info.skipped], threads: 2, notes: [] } });
    print({ kind: 'backend', info: { ...info, skipped: [], threads: 1, notes: ['the threaded wasm build could not start (why); using the single-thread SIMD build'] } });
    assert.equal(
      io.stdout,
      [
        'backend: wasm (2 threads; requested auto by default; skipped tensorflow (@tensorflow/tfjs-node is not installed))',
        'backend: wasm (1 thread; requested auto by default)',
        'note: the threaded wasm build could not start (why); using the single-thread SIMD build',
        '',
      ].join('\n'),
    );
  });

  it('on a TTY redraws one bar line and ends the epoch with a summary line', () => {
    const io = bufferIo({ isTTY: true, columns: 200 });
    const print = progressPrinter(io);
    for (const e of events(4)) print(e);
    assert.match(io.stdout, /\r\x1b\[2K\[#{24}\] epoch 1\/2 step 4\/4 loss 0\.2500 acc 100\.00% 100 img\/s ETA 1:15/);
    assert.ok(io.stdout.endsWith('epoch 1: loss 0.5000 acc 80.00% val_loss 0.4000 val_acc 85.00% lr 0.0100 100 img/s 3.2s\n'));
    assert.equal(io.stdout.split('\n').length, 2, 'only the summary ends a line');
  });

  it('without a TTY prints plain lines a few times per epoch', () => {
    const io = bufferIo({ isTTY: false });
    const print = progressPrinter(io);
    for (const e of events(8)) print(e);
    assert.equal(
      io.stdout,
      [
        'epoch 1/2 step 2/8 loss 0.5000 acc 25.00% 100 img/s ETA 1:15',
        'epoch 1/2 step 4/8 loss 0.2500 acc 50.00% 100 img/s ETA 1:15',
        'epoch 1/2 step 6/8 loss 0.1667 acc 75.00% 100 img/s ETA 1:15',
        'epoch 1: loss 0.5000 acc 80.00% val_loss 0.4000 val_acc 85.00% lr 0.0100 100 img/s 3.2s',
        '',
      ].join('\n'),
    );
  });
});
