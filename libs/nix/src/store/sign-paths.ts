// signing.key_file: signs store paths in the local store (`nix store sign`), so every substituter
// that serves them (FC's /nix-cache/, `nix copy`, a NixOS cache) hands out the signature with them.
import { execa } from 'execa';

export async function signStorePaths(
  keyFile: string,
  paths: readonly string[],
  options: { nix?: string } = {},
): Promise<void> {
  if (paths.length === 0) return;
  const r = await execa(
    options.nix ?? 'nix',
    ['--extra-experimental-features', 'nix-command', 'store', 'sign', '--key-file', keyFile, '--', ...paths],
    { reject: false, stdin: 'ignore', timeout: 60_000 },
  );
  if (r.exitCode !== 0) {
    throw new Error(`nix store sign failed (exit ${r.exitCode ?? 'signal'}): ${String(r.stderr).trim()}`);
  }
}
