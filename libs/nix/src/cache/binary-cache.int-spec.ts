// The binary cache's Nix side against real Nix: a fresh path signed by `nix store sign` carries the
// signature this module computes; hash lookup, path facts and NAR streams agree with Nix's own tools.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { narInfoFingerprint, storePathHash } from './narinfo';
import { streamNar } from './nar-stream';
import { readSecretKeyFile, SigningKeyError } from './signing-key';
import { queryStorePathFacts } from './store-path-facts';
import { createStorePathLookup } from './store-path-lookup';

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('binary cache against real Nix', () => {
  let dir: string;
  let out: string;
  let dep: string;
  let drv: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fc-cache-'));
    const nonce = `${process.pid}-${Date.now()}`;
    const expr = `let dep = derivation { name = "fc-cache-dep-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo dep > $out" ]; };
      in derivation { name = "fc-cache-top-${nonce}"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo \${dep} > $out" ]; }`;
    drv = run('nix-instantiate', ['--expr', expr]);
    out = run('nix-store', ['--realise', drv]);
    dep = run('nix-store', ['--query', '--references', out]);
    run('nix-store', ['--generate-binary-cache-key', 'fc-int-1', join(dir, 'sk'), join(dir, 'pk')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs the fingerprint of `nix path-info` facts exactly as `nix store sign` does', async () => {
    const key = await readSecretKeyFile(join(dir, 'sk'));
    expect(key.publicKey).toBe(readFileSync(join(dir, 'pk'), 'utf8').trim());
    run('nix', ['store', 'sign', '--key-file', join(dir, 'sk'), out]);
    const signed = JSON.parse(run('nix', ['path-info', '--json', '--sigs', out])) as [{ signatures: string[] }];
    const facts = await queryStorePathFacts(out);
    expect(facts).toBeDefined();
    expect(signed[0].signatures).toContain(key.sign(narInfoFingerprint(facts!)));
  });

  it('reads path facts as nix path-info --json gives them, derivations (with their CA) included', async () => {
    const facts = await queryStorePathFacts(out);
    expect(facts).toMatchObject({ path: out, narSize: expect.any(Number), references: [dep], deriver: drv });
    expect(facts?.ca).toBeUndefined();
    const drvFacts = await queryStorePathFacts(drv);
    expect(drvFacts?.path).toBe(drv);
    expect(drvFacts?.ca).toMatch(/^text:sha256:/);
    expect(drvFacts?.deriver).toBeUndefined();
    expect(await queryStorePathFacts(`/nix/store/${'0'.repeat(32)}-fc-cache-missing`)).toBeUndefined();
  });

  it('finds a path by its hash part in the database and by scanning the store directory', async () => {
    const viaDb = createStorePathLookup();
    const viaScan = createStorePathLookup({ dbPath: join(dir, 'no-such-db.sqlite') });
    try {
      for (const lookup of [viaDb, viaScan]) {
        expect(await lookup.pathOfHash(storePathHash(out))).toBe(out);
        expect(await lookup.pathOfHash(storePathHash(drv))).toBe(drv);
      }
      expect(await viaDb.pathOfHash('0'.repeat(32))).toBeUndefined();
      await expect(viaDb.pathOfHash('not-a-hash')).rejects.toThrow('not a store path hash');
    } finally {
      viaDb.close();
      viaScan.close();
    }
  });

  it('streams the NAR nix-store --dump writes, and errors instead of ending a failed dump', async () => {
    const expected = execFileSync('nix-store', ['--dump', out]).toString('latin1');
    const nar = await text(streamNar(out, { signal: new AbortController().signal }));
    expect(nar).toBe(expected);
    await expect(
      text(streamNar(`/nix/store/${'0'.repeat(32)}-fc-cache-missing`, { signal: new AbortController().signal })),
    ).rejects.toThrow();
  });

  it('kills nix-store when the signal aborts (the client went away): the stream errors, never ends whole', async () => {
    const disconnected = new AbortController();
    const nar = streamNar(out, { signal: disconnected.signal });
    disconnected.abort();
    await expect(text(nar)).rejects.toThrow(/cancel/i);
  });

  it('names a missing key file without printing anything of a key', async () => {
    await expect(readSecretKeyFile(join(dir, 'absent'))).rejects.toThrow(SigningKeyError);
    await expect(readSecretKeyFile(join(dir, 'absent'))).rejects.toThrow(/cannot read .*absent \(ENOENT\)/);
    await expect(readSecretKeyFile(join(dir, 'pk'))).rejects.toThrow('(is this the public key?)');
  });
});
