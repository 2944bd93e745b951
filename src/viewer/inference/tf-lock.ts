/**
 * TF.js has one current backend for the whole page, and a bundle load streams bytes straight
 * into tensors of the current backend: work that loads models or switches backends must not
 * interleave. `exclusive` runs such work one piece at a time, and `withBackend` on the backend
 * it names (other viewer code, e.g. the summaries on cpu, can queue here too and so never switch
 * the backend under a load in flight).
 */
import * as tf from '@tensorflow/tfjs';

let queue: Promise<unknown> = Promise.resolve();

/** Runs `work` once every piece queued before it has finished. */
export function exclusive<T>(work: () => T | Promise<T>): Promise<T> {
  const next = queue.then(work);
  queue = next.catch(() => undefined);
  return next;
}

/** Runs `work` exclusively on `backend` (an initialised one: switching back to it is cheap). */
export function withBackend<T>(backend: string, work: () => T | Promise<T>): Promise<T> {
  return exclusive(async () => {
    if (tf.getBackend() !== backend) {
      await tf.setBackend(backend);
      await tf.ready();
    }
    return work();
  });
}
