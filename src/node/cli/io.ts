/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is a terminal (progress bars) and its width. */
  isTTY: boolean;
  columns: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  // `archbundle inspect x | head` closes the pipe early: that ends the output, it is no failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTTY: Boolean(process.stdout.isTTY),
    columns: process.stdout.columns || 80,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** An Io that keeps everything written, for tests. */
export function bufferIo(options: Partial<Pick<Io, 'isTTY' | 'columns' | 'cwd' | 'env'>> = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
    isTTY: options.isTTY ?? false,
    columns: options.columns ?? 80,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
  };
  return io;
}
