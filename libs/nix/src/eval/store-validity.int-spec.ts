// validStorePaths answers from Nix's database as `nix-store --check-validity` does, for real paths.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { localValidPaths } from '../store/path-info';
import { validStorePaths } from './store-validity';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

describe('validStorePaths', () => {
  it("gives the valid paths from Nix's database, as nix-store --check-validity does", async () => {
    const nonce = String(Date.now());
    const drv = (name: string) =>
      run('nix-instantiate', [
        '--expr',
        `derivation { name = "${name}-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo ${nonce} > $out" ]; }`,
      ]);
    const built = run('nix-store', ['--realise', drv('fc-valid-built')]);
    const unbuiltDrv = drv('fc-valid-unbuilt');
    const unbuilt = run('nix-store', ['--query', '--outputs', unbuiltDrv]);
    const paths = [built, unbuiltDrv, unbuilt, `/nix/store/${'0'.repeat(32)}-fc-valid-missing`];

    // What Nix itself says: --print-invalid lists the invalid ones.
    const nix = spawnSync('nix-store', ['--check-validity', '--print-invalid', '--', ...paths], {
      encoding: 'utf8',
    });
    const invalid = new Set(nix.stdout.split('\n').filter(Boolean));
    const expected = new Set(paths.filter((p) => !invalid.has(p)));

    expect(expected).toEqual(new Set([built, unbuiltDrv]));
    // This machine's tests run as the store's owner, so the database path is the one taken.
    expect(localValidPaths(paths)).toEqual(expected);
    expect(await validStorePaths(paths)).toEqual(expected);
  });

  it("takes a content-addressed output's placeholder as not valid, without asking Nix", async () => {
    const built = run('nix-store', ['--realise', run('nix-instantiate', ['--expr', `derivation { name = "fc-valid-ca-${Date.now()}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; }`])]);
    const placeholder = '/17rzvy5m4k397axfvbdz8hynfr0ck0gsxcljpks8w82n2fr4qjjq';
    expect(await validStorePaths([placeholder, built])).toEqual(new Set([built]));
    expect(await validStorePaths([placeholder])).toEqual(new Set());
  });
});
