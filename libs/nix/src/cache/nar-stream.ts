// A store path's NAR, streamed from `nix-store --dump`: nothing is buffered, the process is killed
// when `signal` aborts (the client went away), and a failing dump errors the stream so a truncated
// NAR is never passed off as a whole one.
import type { Readable } from 'node:stream';
import { execa } from 'execa';

export interface NarStreamOptions {
  readonly signal: AbortSignal;
  /** Default nix-store. */
  readonly nixStore?: string;
}

export function streamNar(path: string, options: NarStreamOptions): Readable {
  const subprocess = execa(options.nixStore ?? 'nix-store', ['--dump', '--', path], {
    stdin: 'ignore',
    stderr: 'pipe',
    buffer: { stdout: false, stderr: true },
    cancelSignal: options.signal,
    forceKillAfterDelay: 2000,
  });
  return subprocess.readable();
}
