// The migrated template database that every integration spec file clones.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createPool, migrateUp, readMigrationFiles } from '@fc/db';
import { createBoss, ensureQueues } from '@fc/queue';
import { withDatabase } from './test-env';
import { MIGRATIONS_DIR, REPO_ROOT } from './paths';

const TEMPLATE_LOCK = 7_413_220_002;

function templateName(): string {
  const hash = createHash('sha256');
  for (const f of readMigrationFiles(MIGRATIONS_DIR)) hash.update(f.fileName).update(f.checksum);
  const bossPkg = JSON.parse(
    readFileSync(join(REPO_ROOT, 'node_modules', 'pg-boss', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  hash.update(bossPkg.version);
  return `fc_test_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Creates (once per schema version) and returns the name of the template database. */
export async function ensureTemplateDatabase(adminUrl: string): Promise<string> {
  const name = templateName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return name;
    const building = `${name}_building`;
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${building}"`);
    const url = withDatabase(adminUrl, building);
    const pool = createPool({ url, maxConnections: 2 });
    try {
      await migrateUp(pool, MIGRATIONS_DIR);
    } finally {
      await pool.end();
    }
    const boss = createBoss({ url, supervise: false });
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 3600, buildRetryLimit: 2 });
    await boss.stop({ graceful: false, close: true });
    // Only a complete template gets the final name, so a crash never leaves a half-built one.
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
}
