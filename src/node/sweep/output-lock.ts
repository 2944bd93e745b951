/**
 * One local sweep at a time per output folder: `<output>/.sweep.lock` holds "host:pid" of the
 * sweep running there. Two sweeps on one folder would train the same runs into the same
 * folders at once. A lock left by a process that no longer runs on this host is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ArchbundleError } from '../../core/errors.js';

export const LOCK_FILE = '.sweep.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock; returns its release. Throws E_SWEEP while another live sweep holds it. */
export async function lockOutput(output: string): Promise<() => Promise<void>> {
  const file = path.join(output, LOCK_FILE);
  const me = `${os.hostname()}:${process.pid}`;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${me}\n`);
      await handle.close();
      return async () => {
        if ((await readFile(file, 'utf8').catch(() => '')).trim() === me) await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ArchbundleError('E_IO', `cannot create ${file}: ${(error as Error).message}`, [], { cause: error });
      }
    }
    const holder = (await readFile(file, 'utf8').catch(() => '')).trim();
    const [host, pidText] = [holder.slice(0, holder.lastIndexOf(':')), holder.slice(holder.lastIndexOf(':') + 1)];
    const pid = Number(pidText);
    if (host !== os.hostname() || (Number.isInteger(pid) && pid > 0 && alive(pid))) {
      throw new ArchbundleError(
        'E_SWEEP',
        `output folder ${output} is being swept by ${holder || 'another process'} (${file}); wait for it, or remove that file if no sweep runs there`,
      );
    }
    await rm(file, { force: true }); // left by a sweep that died
  }
  throw new ArchbundleError('E_SWEEP', `cannot take ${file}: another sweep keeps taking it`);
}
