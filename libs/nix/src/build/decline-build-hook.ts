// Nix's build hook for when there is nowhere but here to build. Nix 2.8 asks its build hook
// (`build-remote`, a full Nix process) about each derivation, and a worker keeps the hook's answer
// only for its own lifetime: `nix-store --realise` of many derivations starts the hook once, but a
// long-lived `nix-daemon --stdio` starts a worker, and so a hook, per build — ~18 ms of process
// start-up to hear "decline" when there are no remote builders. This hook declines for good at once.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

const SCRIPT = `#!/bin/sh
# FC: no remote builders are configured, so every derivation is built locally.
echo '# decline-permanently' >&2
exec cat >/dev/null
`;

/**
 * Writes the hook into `dir` (executable) and returns its path, for Nix's `build-hook` setting; or
 * undefined when it does not run there (a noexec mount, say): Nix's own hook is then kept, since a
 * hook that cannot start fails every build.
 */
export async function writeDeclineBuildHook(dir: string): Promise<string | undefined> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'decline-build-hook');
  await writeFile(path, SCRIPT);
  await chmod(path, 0o755);
  const tried = await execa(path, ['0'], { input: '', reject: false, timeout: 10_000 });
  return tried.exitCode === 0 && tried.stderr.includes('# decline-permanently') ? path : undefined;
}
