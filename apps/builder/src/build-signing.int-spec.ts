// signing.enabled with signing.key_file: the built fc-queue-runner signs each build's outputs in the
// local store after the build, so `nix path-info --sigs` (and every cache serving them) shows the
// signature; a bad key file stops the daemon at start, naming the key.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, runApp, startApp, type TestDatabase } from '@fc/testing';
import { createJobset, instantiate, queueBuilds } from './testing/build-fixture';
import { builderEnv, waitForBuild } from './testing/builder-harness';

jest.setTimeout(90_000);

const JOB = `{ nonce }: {
  signed = builtins.derivation {
    name = "fc-signed-\${nonce}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo signed > $out" ];
  };
}
`;

describe('fc-queue-runner with signing.enabled', () => {
  let db: TestDatabase;
  let boss: Boss;
  const daemons: ResultPromise[] = [];
  const dirs = {
    logDir: mkdtempSync(join(tmpdir(), 'fc-sign-logs-')),
    rootsDir: mkdtempSync(join(tmpdir(), 'fc-sign-roots-')),
    workDir: mkdtempSync(join(tmpdir(), 'fc-sign-work-')),
  };
  const keyName = `fc-sign-spec-${process.pid}-1`;

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    execFileSync('nix-store', [
      '--generate-binary-cache-key',
      keyName,
      join(dirs.workDir, 'key.sec'),
      join(dirs.workDir, 'key.pub'),
    ]);
  });

  afterAll(async () => {
    for (const d of daemons) d.kill('SIGTERM');
    await Promise.all(daemons);
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  it('signs the outputs of each build in the store', async () => {
    const daemon = startApp('builder', [], {
      env: builderEnv(db.url, dirs, {
        FC_SIGNING__ENABLED: 'true',
        FC_SIGNING__KEY_FILE: join(dirs.workDir, 'key.sec'),
      }),
    });
    daemons.push(daemon);
    const nixFile = join(dirs.workDir, 'signed.nix');
    writeFileSync(nixFile, JOB);
    const drv = await instantiate(nixFile, 'signed', { nonce: randomUUID() });
    const [id] = await queueBuilds(db.pool, boss, await createJobset(db.pool), [{ job: 'signed', drv }]);
    const build = await waitForBuild(db.pool, id!);
    expect(build.buildStatus).toBe(0);
    const { rows } = await db.pool.query<{ path: string }>(
      'SELECT path FROM build_outputs WHERE build_id = $1',
      [id],
    );
    const out = rows[0]!.path;
    const sigs = execFileSync(
      'nix',
      ['--extra-experimental-features', 'nix-command', 'path-info', '--sigs', out],
      {
        encoding: 'utf8',
      },
    );
    expect(sigs).toContain(`${keyName}:`);
    // The signature is the key's: Nix verifies it with the public key.
    const publicKey = readFileSync(join(dirs.workDir, 'key.pub'), 'utf8').trim();
    execFileSync('nix', [
      '--extra-experimental-features',
      'nix-command',
      'store',
      'verify',
      '--sigs-needed',
      '1',
      '--trusted-public-keys',
      publicKey,
      '--no-contents',
      out,
    ]);
  });

  it('stops at start naming signing.key_file when the key file is not a secret key', async () => {
    const r = await runApp('builder', [], {
      env: builderEnv(db.url, dirs, {
        FC_SIGNING__ENABLED: 'true',
        FC_SIGNING__KEY_FILE: join(dirs.workDir, 'key.pub'),
      }),
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('signing.key_file');
  });
});
