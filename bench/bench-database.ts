// A bench's own empty database on the PostgreSQL server it measures against, dropped afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase {
  readonly url: string;
  /** Drops the database (WITH (FORCE): connections left open do not keep it) and closes the admin connection. */
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` on the server of `adminUrl`. */
export async function createBenchDatabase(adminUrl: string, prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
