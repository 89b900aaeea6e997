// signing.enabled with signing.key_file: the built fc-queue-runner signs each build's outputs in the
// local store after the build, so `nix path-info --sigs` (and every cache serving them) shows the
// signature; a bad key file stops the daemon at start, naming the key.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { runApp } from '@fc/testing';
import { instantiate } from './testing/build-fixture';
import { builderEnv, waitForBuild, setUpQueueRunner } from './testing/builder-harness';

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
  const qr = setUpQueueRunner({ start: false });
  const keyName = `fc-sign-spec-${process.pid}-1`;

  beforeAll(() => {
    execFileSync('nix-store', [
      '--generate-binary-cache-key',
      keyName,
      join(qr.dirs.workDir, 'key.sec'),
      join(qr.dirs.workDir, 'key.pub'),
    ]);
  });

  it('signs the outputs of each build in the store', async () => {
    void qr.startBuilder({
      FC_SIGNING__ENABLED: 'true',
      FC_SIGNING__KEY_FILE: join(qr.dirs.workDir, 'key.sec'),
    });
    const nixFile = join(qr.dirs.workDir, 'signed.nix');
    writeFileSync(nixFile, JOB);
    const drv = await instantiate(nixFile, 'signed', { nonce: randomUUID() });
    const [id] = await qr.queueBuilds([{ job: 'signed', drv }]);
    const build = await waitForBuild(qr.pool, id!);
    expect(build.buildStatus).toBe(0);
    const { rows } = await qr.pool.query<{ path: string }>(
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
    const publicKey = readFileSync(join(qr.dirs.workDir, 'key.pub'), 'utf8').trim();
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
      env: builderEnv(qr.db.url, qr.dirs, {
        FC_SIGNING__ENABLED: 'true',
        FC_SIGNING__KEY_FILE: join(qr.dirs.workDir, 'key.pub'),
      }),
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('signing.key_file');
  });
});
