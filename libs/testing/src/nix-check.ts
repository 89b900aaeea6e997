import { execFileSync } from 'node:child_process';

/** Fails loudly, naming the fix, when Nix is not installed. */
export function assertNixAvailable(): void {
  for (const tool of ['nix-build', 'nix-instantiate', 'nix-store']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${tool} is not on PATH: the integration specs need Nix. Run \`npm run setup\` (installs Debian's nix-bin ` +
          'and writes /etc/nix/nix.conf with sandbox = false and no substituters).',
      );
    }
  }
}
