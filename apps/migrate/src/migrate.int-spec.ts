import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readMigrationFiles } from '@fc/db';
import { createTestDatabase, MIGRATIONS_DIR, runApp, type TestDatabase } from '@fc/testing';

function copyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fc-migrations-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  return dir;
}

describe('fc-migrate', () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });
  async function emptyDb(): Promise<TestDatabase> {
    const db = await createTestDatabase({ template: false });
    dbs.push(db);
    return db;
  }

  it('applies every migration to an empty database, then has nothing to do', async () => {
    const db = await emptyDb();
    const first = await runApp('migrate', ['up', db.url]);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('applied 0001_initial_schema.sql');
    const tables = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('projects','jobsets','evaluations','builds','build_steps','build_products','api_keys','users','session','remote_builders')",
    );
    expect(tables.rows[0]!.n).toBe(10);
    const second = await runApp('migrate', ['up', db.url]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('already up to date');
    const status = await runApp('migrate', ['status', db.url]);
    expect(status.stdout).toMatch(/applied\s+0001_initial_schema/);
  });

  it('takes the URL from FC_DATABASE__URL when none is given', async () => {
    const db = await emptyDb();
    const r = await runApp('migrate', ['up'], { env: { FC_DATABASE__URL: db.url } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('applied 0001');
  });

  it('validate catches a tampered and a missing migration', async () => {
    const db = await emptyDb();
    const dir = copyMigrations();
    writeFileSync(join(dir, '9001_extra.sql'), 'CREATE TABLE extra (id int);\n');
    const env = { FC_MIGRATIONS_DIR: dir };
    expect((await runApp('migrate', ['up', db.url], { env })).exitCode).toBe(0);
    expect((await runApp('migrate', ['validate', db.url], { env })).exitCode).toBe(0);

    appendFileSync(join(dir, '0001_initial_schema.sql'), '\n-- edited after release\n');
    const tampered = await runApp('migrate', ['validate', db.url], { env });
    expect(tampered.exitCode).toBe(1);
    expect(tampered.stderr).toContain('0001_initial_schema.sql was changed after it was applied');

    const refused = await runApp('migrate', ['up', db.url], { env });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('refusing to migrate');

    unlinkSync(join(dir, '9001_extra.sql'));
    const missing = await runApp('migrate', ['validate', db.url], { env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('migration 9001 (extra) is applied but has no file');
  });

  it('validate reports a migration file that was never applied', async () => {
    const db = await emptyDb();
    const dir = copyMigrations();
    expect((await runApp('migrate', ['up', db.url], { env: { FC_MIGRATIONS_DIR: dir } })).exitCode).toBe(0);
    writeFileSync(join(dir, '9003_later.sql'), 'SELECT 1;\n');
    const r = await runApp('migrate', ['validate', db.url], { env: { FC_MIGRATIONS_DIR: dir } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('9003_later.sql is not applied');
  });

  it('two concurrent ups apply each migration exactly once', async () => {
    const db = await emptyDb();
    const [a, b] = await Promise.all([runApp('migrate', ['up', db.url]), runApp('migrate', ['up', db.url])]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const outputs = [a.stdout, b.stdout];
    expect(outputs.filter((o) => o.includes('applied 0001')).length).toBe(1);
    expect(outputs.filter((o) => o.includes('already up to date')).length).toBe(1);
    const rows = await db.pool.query('SELECT version FROM fc_schema_migrations');
    expect(rows.rowCount).toBe(readMigrationFiles(MIGRATIONS_DIR).length);
  });

  it('a failing migration is rolled back whole', async () => {
    const db = await emptyDb();
    const dir = copyMigrations();
    writeFileSync(
      join(dir, '9002_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n',
    );
    const r = await runApp('migrate', ['up', db.url], { env: { FC_MIGRATIONS_DIR: dir } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('migration 9002_broken.sql failed');
    const t = await db.pool.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
    expect(t.rowCount).toBe(0);
    const applied = await db.pool.query<{ version: number }>('SELECT version FROM fc_schema_migrations');
    expect(applied.rows.map((r) => r.version)).not.toContain(9002);
    expect(applied.rowCount).toBe(readMigrationFiles(MIGRATIONS_DIR).length);
  });

  it('create writes the next numbered file; bad commands exit 2 with usage', async () => {
    const dir = copyMigrations();
    const next = String(readMigrationFiles(dir).at(-1)!.version + 1).padStart(4, '0');
    const r = await runApp('migrate', ['create', 'Add build notes'], { env: { FC_MIGRATIONS_DIR: dir } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, `${next}_add_build_notes.sql`));
    expect(readdirSync(dir)).toContain(`${next}_add_build_notes.sql`);
    const bad = await runApp('migrate', ['frobnicate']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
    expect((await runApp('migrate', ['create'])).exitCode).toBe(2);
  });

  it('names a bad configuration key instead of connecting', async () => {
    const r = await runApp('migrate', ['up'], { env: { FC_DATABASE__MAX_CONNECTIONS: 'lots' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'database.max_connections: expected a number (from FC_DATABASE__MAX_CONNECTIONS)',
    );
  });
});
