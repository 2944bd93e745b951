/**
 * `view --open`: the system's way of opening a URL ($BROWSER when set, else xdg-open, open or
 * start). Opening is a convenience: when it fails the server keeps serving and says so.
 */
import { spawn } from 'node:child_process';

/** Resolves to null when a browser was launched, else to why not. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): Promise<string | null> {
  const [command, ...args] = browserCommand(url, env, platform);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command!, args, { detached: true, stdio: 'ignore', windowsHide: true });
    } catch (error) {
      resolve(`${command}: ${(error as Error).message}`);
      return;
    }
    child.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ENOENT' ? `${command} not found` : `${command}: ${error.message}`));
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}

function browserCommand(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  if (env.BROWSER) return [env.BROWSER, url];
  if (platform === 'darwin') return ['open', url];
  // start is a cmd built-in; its first quoted argument is a window title
  if (platform === 'win32') return ['cmd', '/c', 'start', '""', url];
  return ['xdg-open', url];
}
