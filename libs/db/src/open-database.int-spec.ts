// Every daemon refuses a database it does not know, says what to run, and exits non-zero.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  MIGRATIONS_DIR,
  runApp,
  withDatabase,
  type AppName,
  type TestDatabase,
} from '@fc/testing';

const DAEMONS: { app: AppName; name: string }[] = [
  { app: 'server', name: 'fc-server' },
  { app: 'evaluator', name: 'fc-evaluator' },
  { app: 'builder', name: 'fc-queue-runner' },
];

describe('daemons at start-up', () => {
  let empty: TestDatabase;
  let newer: TestDatabase;
  let partial: TestDatabase;
  beforeAll(async () => {
    empty = await createTestDatabase({ template: false });
    newer = await createTestDatabase();
    await newer.pool.query(
      "INSERT INTO fc_schema_migrations (version, name, checksum) VALUES (9999, 'from_the_future', 'x')",
    );
    partial = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all([empty.drop(), newer.drop(), partial.drop()]);
  });

  it.each(DAEMONS)(
    '$name refuses an unmigrated database and names the command to run',
    async ({ app, name }) => {
      const r = await runApp(app, [], { env: { FC_DATABASE__URL: empty.url, FC_SERVER__PORT: '0' } });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        `${name}: the database has no FC schema: run \`npx fc-migrate up <database-url>\``,
      );
      expect(r.stderr).not.toContain('    at ');
    },
  );

  it.each(DAEMONS)('$name refuses a schema newer than it knows', async ({ app, name }) => {
    const r = await runApp(app, [], { env: { FC_DATABASE__URL: newer.url, FC_SERVER__PORT: '0' } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${name}: the database schema is at migration 9999, newer than this FC knows`);
  });

  it('a daemon refuses a schema with pending migrations', async () => {
    // This FC knows one more migration than the database has.
    const dir = mkdtempSync(join(tmpdir(), 'fc-migrations-'));
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
    writeFileSync(join(dir, '9000_later.sql'), 'SELECT 1;\n');
    const r = await runApp('evaluator', [], {
      env: { FC_DATABASE__URL: partial.url, FC_MIGRATIONS_DIR: dir },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/behind: run `npx fc-migrate up <database-url>` first/);
  });

  it('a daemon names an unreachable database without its password', async () => {
    const url = withDatabase('postgres://fc:s3cret-pw@127.0.0.1:1/x', 'fc');
    const r = await runApp('builder', [], {
      env: { FC_DATABASE__URL: url, FC_DATABASE__CONNECT_TIMEOUT: '2' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'fc-queue-runner: cannot use the database at postgres://fc:***@127.0.0.1:1/fc',
    );
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('a daemon names every bad configuration key and exits 2', async () => {
    const r = await runApp('server', [], {
      env: { FC_SERVER__PORT: 'http', FC_QUEUE_RUNNER__WORKERS: '0', FC_SERVER__API_KEY: '' },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('server.port: expected a number (from FC_SERVER__PORT)');
    expect(r.stderr).toContain(
      'queue_runner.workers: must be greater than 0 (from FC_QUEUE_RUNNER__WORKERS)',
    );
    expect(r.stderr).toContain('server.api_key: must not be empty (from FC_SERVER__API_KEY)');
  });
});
