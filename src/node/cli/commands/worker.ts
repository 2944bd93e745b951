import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { EXIT, parseCommandLine, UsageError } from '../usage.js';

const help = `Usage: archbundle worker --queue redis://HOST:PORT/NAME [--concurrency K] [--threads N]
                        [--stall-seconds S] [--idle-exit S]

Take runs from a sweep's queue (put there by \`archbundle sweep FILE --queue URL\`, which prints
this URL) and train them into the sweep's output folder, which every worker must see at the
same path (a shared file system). Start any number of workers, on any number of machines.
A run is resumed from its newest epoch bundle; the run of a worker that dies (killed, machine
lost) goes back to the queue after --stall-seconds and another worker resumes it.
Ctrl-C (SIGINT) or SIGTERM ends the worker's runs and puts them back into the queue at once;
a second one exits at once (the runs then come back after --stall-seconds).

Options:
  --queue URL           Redis and the queue's name: redis://[user:password@]HOST[:PORT]/NAME
  --concurrency K       runs trained at once, each in its own process (default 1)
  --threads N           threads for all its runs together, split evenly between them
                        (default: every core this process may use)
  --stall-seconds S     how long a run's lock lasts without renewal, and how often stalled runs
                        are looked for (default 30): a dead worker's run restarts within about 2*S
  --idle-exit S         exit once the queue has had runs and none has been queued or running for
                        S seconds (for batch jobs: Slurm, Kubernetes Jobs)
  --verbose             stack traces on errors
  -h, --help            this help
`;

/** How often one run may lose its worker before the queue marks it failed. */
const MAX_STALLS = 3;

function wholeNumber(option: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UsageError(`--${option} must be a whole number ≥ 1, received "${text}"`, 'worker');
  return value;
}

async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandLine('worker', argv, {
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    threads: { type: 'string' },
    'stall-seconds': { type: 'string' },
    'idle-exit': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'worker');
  if (values.queue === undefined) throw new UsageError('expected --queue redis://HOST:PORT/NAME', 'worker');
  const { parseRedisUrl } = await import('../../sweep/queue/redis-url.js');
  const address = parseRedisUrl(values.queue as string);
  if (typeof address === 'string') throw new UsageError(address, 'worker');
  if (!address.queue) {
    throw new UsageError(`--queue must name the queue: redis://${address.host}:${address.port}/NAME (archbundle sweep --queue prints it)`, 'worker');
  }
  const concurrency = wholeNumber('concurrency', values.concurrency as string | undefined, 1)!;
  const threads = wholeNumber('threads', values.threads as string | undefined, undefined);
  const stallSeconds = wholeNumber('stall-seconds', values['stall-seconds'] as string | undefined, 30)!;
  const idleExitSeconds = wholeNumber('idle-exit', values['idle-exit'] as string | undefined, undefined);

  const { startWorker } = await import('../../sweep/queue/worker-pool.js');
  const stamp = () => new Date().toISOString().slice(11, 19);
  const worker = await startWorker(address, address.queue, {
    concurrency,
    ...(threads === undefined ? {} : { threads }),
    stallSeconds,
    maxStalls: MAX_STALLS,
    ...(idleExitSeconds === undefined ? {} : { idleExitSeconds }),
    onLine: (text) => io.out(`${stamp()} ${text}\n`),
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      // stopping hangs (Redis gone?): leave now; the run processes see their parent go and exit, and
      // their runs come back to the queue when their locks expire
      io.out(`${stamp()} ${signal} again: exiting at once\n`);
      process.exit(EXIT.failed);
    }
    io.out(`${stamp()} ${signal}: stopping; running runs go back into the queue (again: exit at once)\n`);
    void worker.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await worker.finished;
    io.out(`${stamp()} stopped: ${summary.done} run${summary.done === 1 ? '' : 's'} done, ${summary.failed} failed\n`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return EXIT.ok;
}

const command: Command = { name: 'worker', summary: "train runs from a sweep's queue (Redis), on any number of machines", help, run };
export default command;
