// A fresh database per spec file, cloned from the migrated template, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, type Pool } from '@fc/db';
import { ENV_ADMIN_URL, ENV_TEMPLATE_DB, requireEnv, withDatabase } from './test-env';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly pool: Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: requireEnv(ENV_ADMIN_URL) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(options: { template?: boolean } = {}): Promise<TestDatabase> {
  const name = `fc_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = requireEnv(ENV_TEMPLATE_DB);
  await admin((c) =>
    c.query(
      options.template === false
        ? `CREATE DATABASE "${name}"`
        : `CREATE DATABASE "${name}" TEMPLATE "${template}"`,
    ),
  );
  const url = withDatabase(requireEnv(ENV_ADMIN_URL), name);
  const pool = createPool({ url, maxConnections: 5 });
  let dropped = false;
  return {
    name,
    url,
    pool,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
