import type { SessionEvent } from '../train/session.js';
import { duration, fixed, integer, percent } from './format.js';
import type { Io } from './io.js';

const BAR = 24;
const TTY_INTERVAL_MS = 100;
/** Without a TTY, a plain line every this fraction of an epoch. */
const PLAIN_FRACTION = 0.25;

/**
 * Renders training events: on a TTY one redrawn progress line (epoch, step, loss, accuracy,
 * images/s, ETA); otherwise plain lines a few times per epoch. Either way each epoch ends with
 * a summary line, and checkpoints, data and backend choices are reported.
 */
export function progressPrinter(io: Io): (event: SessionEvent) => void {
  let lastDraw = 0;
  let lastPlainStep = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) io.out('\r\x1b[2K');
    drawn = false;
  };
  const line = (text: string) => {
    clear();
    io.out(`${text}\n`);
  };
  return (event) => {
    switch (event.kind) {
      case 'backend': {
        const { info } = event;
        const skipped = info.skipped.length ? `; skipped ${info.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : '';
        const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
        line(`backend: ${info.name} (${threads}; requested ${info.requested} by ${info.source}${skipped})`);
        for (const note of info.notes) line(`note: ${note}`);
        break;
      }
      case 'data':
        if (event.fallback) line(`dataset not found, using the synthetic dataset instead: ${event.fallback}`);
        line(
          `data: ${event.dataset.name} from ${event.dataset.source}: ${integer(event.train)} train, ` +
            `${integer(event.validation)} validation, ${integer(event.test)} test`,
        );
        break;
      case 'model':
        line(
          `model: ${event.className}, ${integer(event.parameters)} trainable parameters` +
            (event.resumedFrom ? `, resumed from ${event.resumedFrom.file} after epoch ${event.resumedFrom.epoch}` : ''),
        );
        break;
      case 'epoch-start':
        lastPlainStep = 0;
        break;
      case 'step': {
        const now = performance.now();
        const text =
          `epoch ${event.epoch}/${event.epochs} step ${event.step}/${event.steps} loss ${fixed(event.loss)} ` +
          `acc ${percent(event.accuracy)} ${integer(Math.round(event.imagesPerSecond))} img/s ETA ${duration(event.etaSeconds)}`;
        if (io.isTTY) {
          if (now - lastDraw < TTY_INTERVAL_MS && event.step !== event.steps) break;
          lastDraw = now;
          const filled = Math.round((event.step / event.steps) * BAR);
          const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`;
          io.out(`\r\x1b[2K${`${bar} ${text}`.slice(0, Math.max(20, io.columns - 1))}`);
          drawn = true;
        } else if (event.step - lastPlainStep >= Math.max(1, Math.ceil(event.steps * PLAIN_FRACTION)) && event.step !== event.steps) {
          lastPlainStep = event.step;
          line(text);
        }
        break;
      }
      case 'epoch-end': {
        const m = event.metrics;
        line(
          `epoch ${m.epoch}: loss ${fixed(m.loss)} acc ${percent(m.accuracy)} val_loss ${fixed(m.val_loss)} ` +
            `val_acc ${percent(m.val_accuracy)} lr ${m.learningRate.toPrecision(3)} ` +
            `${integer(Math.round(m.imagesPerSecond))} img/s ${m.seconds.toFixed(1)}s`,
        );
        break;
      }
      case 'checkpoint':
        line(`${event.best ? 'best' : 'checkpoint'}: ${event.file} (epoch ${event.epoch})`);
        break;
      case 'pruned':
        line(`removed ${event.file} (keepLast)`);
        break;
      case 'note':
        line(`note: ${event.text}`);
        break;
      case 'test':
        line(
          `test: loss ${fixed(event.evaluation.loss)} accuracy ${percent(event.evaluation.accuracy)} ` +
            `on ${integer(event.evaluation.count)} examples after epoch ${event.epoch}`,
        );
        break;
    }
  };
}
