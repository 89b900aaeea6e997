// A build trying to read files outside its inputs (a key under FC's work dir, one under the home of
// the user FC runs as) and print them into its public log; and the queue runner saying at start
// whether Nix sandboxes builds.
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { probePasswordRequired } from '@fc/db';
import { waitForLogRecord } from '@fc/testing';
import { instantiate } from './testing/build-fixture';
import { readStoredLog, waitForBuild, setUpQueueRunner } from './testing/builder-harness';

jest.setTimeout(90_000);

// A fixed-output derivation (a download) gets this machine's network and tries PostgreSQL on
// 127.0.0.1, printing what it reads into its log (the build then fails on its hash, log kept).
// npm run setup's firewall rule refuses the build users' connections to this machine.
const FOD_READS_DATABASE = `{ nonce, port }: {
  reads-db = builtins.derivation {
    name = "reads-db-\${nonce}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" "echo users: $(psql -h 127.0.0.1 -p \${port} -U postgres -d postgres -Atc 'select count(*) from pg_user') ; echo > $out" ];
    outputHashMode = "flat";
    outputHashAlgo = "sha256";
    outputHash = "0000000000000000000000000000000000000000000000000000";
  };
}
`;

const READ_KEYS = `{ nonce, keys }: {
  reads-keys = builtins.derivation {
    name = "reads-keys-\${nonce}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" "for f in \${keys}; do echo reading $f; cat $f; done; id; echo done > $out" ];
  };
}
`;

describe('fc-queue-runner and Nix sandbox', () => {
  const qr = setUpQueueRunner({ start: false });
  const secret = `key-${randomUUID()}`;
  const workKey = join(qr.dirs.workDir, 'cache-key.sec');
  const homeKey = join(homedir(), `.fc-sandbox-spec-${randomUUID()}.sec`);

  beforeAll(() => {
    // Readable by anyone: only the sandbox keeps a build from them.
    writeFileSync(workKey, secret, { mode: 0o644 });
    writeFileSync(homeKey, secret, { mode: 0o644 });
  });

  afterAll(() => rmSync(homeKey, { force: true }));

  it('says builds are sandboxed at start; a build cannot read a key outside its inputs into its log', async () => {
    const daemon = qr.startBuilder();
    const line = await waitForLogRecord(daemon, (r) => r.message.includes('sandboxed'), 'the sandbox line');
    expect(line).toMatchObject({ level: 'info', message: 'builds are sandboxed' });
    expect(line['nixSandbox']).toMatchObject({ sandbox: 'true', buildUsersGroup: 'nixbld' });

    const nixFile = join(qr.dirs.workDir, 'reads-keys.nix');
    writeFileSync(nixFile, READ_KEYS);
    const drv = await instantiate(nixFile, 'reads-keys', {
      nonce: randomUUID(),
      keys: `${workKey} ${homeKey}`,
    });
    const [id] = await qr.queueBuilds([{ job: 'reads-keys', drv }]);
    const build = await waitForBuild(qr.pool, id!);
    expect(build.buildStatus).toBe(0);
    const { text: log } = await readStoredLog(qr.pool, id!);
    // The builder ran both reads (and was refused each), as a build user.
    expect(log).toContain(`reading ${workKey}`);
    expect(log).toContain(`reading ${homeKey}`);
    expect(log.match(/No such file or directory/g)).toHaveLength(2);
    expect(log).toMatch(/uid=\d+\(nixbld/);
    expect(log).not.toContain(secret);
  });

  it('warns loudly at start when a build could reach the database without a password', async () => {
    const probe = await probePasswordRequired(qr.db.url);
    // This machine's PostgreSQL trusts TCP from 127.0.0.1 (the suite's URLs carry no password).
    expect(probe.verdict).toBe('no password needed');
    const daemon = qr.startBuilder();
    const line = await waitForLogRecord(
      daemon,
      (r) => r.message.includes('WITHOUT A PASSWORD'),
      'the open-database warning',
    );
    expect(line.level).toBe('warn');
    expect(line.message).toContain(
      `PostgreSQL at ${new URL(qr.db.url).hostname}:${new URL(qr.db.url).port || '5432'}`,
    );
    expect(line.message).toContain('Use scram-sha-256 for host lines in pg_hba.conf');

    // Why the warning matters: a fixed-output build has the network. The set-up's firewall rule
    // (scripts/setup.sh) refuses it this machine's services, so it reads nothing.
    const nixFile = join(qr.dirs.workDir, 'reads-db.nix');
    writeFileSync(nixFile, FOD_READS_DATABASE);
    const drv = await instantiate(nixFile, 'reads-db', {
      nonce: randomUUID(),
      port: new URL(qr.db.url).port || '5432',
    });
    const [id] = await qr.queueBuilds([{ job: 'reads-db', drv }]);
    await waitForBuild(qr.pool, id!);
    const { text: log } = await readStoredLog(qr.pool, id!);
    expect(log).toContain('users:');
    expect(log).not.toMatch(/users: [0-9]+/);
    expect(log).toMatch(/Connection refused/);

    // Over the Unix socket, which no sandbox holds, nothing is probed and nothing said.
    const socket = qr.startBuilder({
      FC_DATABASE__URL: `postgres://postgres@/${qr.db.name}?host=/var/run/postgresql`,
    });
    const first = await waitForLogRecord(
      socket,
      (r) => r.message.includes('WITHOUT A PASSWORD') || r.message === 'ready',
      'ready',
    );
    expect(first.message).toBe('ready');
  });

  it('warns loudly at start when Nix does not sandbox builds', async () => {
    const daemon = qr.startBuilder({ NIX_CONFIG: 'sandbox = false' });
    const line = await waitForLogRecord(
      daemon,
      (r) => r.message.includes('SANDBOXED'),
      'the sandbox warning',
    );
    expect(line.level).toBe('warn');
    expect(line.message).toContain('BUILDS ARE NOT SANDBOXED: sandbox = false');
  });
});
