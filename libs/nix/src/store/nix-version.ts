// The Nix this machine runs (`nix --version`), for the admin's system status.
import { execa } from 'execa';

/** "nix (Nix) 2.8.0" → "2.8.0"; undefined when Nix cannot be run. */
export async function nixVersion(): Promise<string | undefined> {
  try {
    const r = await execa('nix', ['--version'], { timeout: 5000, reject: false, stdin: 'ignore' });
    if (r.exitCode !== 0) return undefined;
    const out = String(r.stdout).trim();
    return /(\d+\.\d+[^\s]*)\s*$/.exec(out)?.[1] ?? (out || undefined);
  } catch {
    return undefined;
  }
}
