// Path info from Nix's SQLite database matches `nix path-info` for real store paths.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { queryPathInfo } from './path-info';

describe('queryPathInfo', () => {
  it("reads NAR and closure sizes from Nix's database as `nix path-info -S` gives them", async () => {
    const nonce = String(Date.now());
    const expr = `let dep = derivation { name = "fc-pi-dep-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo dependency-of-some-size > $out" ]; };
      in derivation { name = "fc-pi-top-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo \${dep} > $out" ]; }`;
    const drv = execFileSync('nix-instantiate', ['--expr', expr], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const out = execFileSync('nix-store', ['--realise', drv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const missing = `/nix/store/${'0'.repeat(32)}-fc-pi-missing`;

    const fromDb = await queryPathInfo([out, missing]);
    // Any other binary name than 'nix' skips the database: the same `nix` through its path.
    const fromNix = await queryPathInfo([out, missing], '/usr/bin/nix');

    expect(fromDb[0]).toEqual(fromNix.find((i) => i.path === out));
    expect(fromDb[0]!.valid).toBe(true);
    expect(fromDb[0]!.closureSize).toBeGreaterThan(fromDb[0]!.narSize!);
    expect(fromDb[1]).toEqual({ path: missing, valid: false, narSize: undefined, closureSize: undefined });
    expect(fromNix.find((i) => i.path === missing)?.valid ?? false).toBe(false);
  });
});
