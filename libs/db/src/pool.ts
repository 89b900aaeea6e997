import pg from 'pg';

export interface PoolOptions {
  readonly url: string;
  readonly maxConnections?: number;
  readonly minConnections?: number;
  /** seconds */
  readonly connectTimeout?: number;
  /** seconds */
  readonly idleTimeout?: number;
  /** seconds */
  readonly maxLifetime?: number;
  readonly applicationName?: string;
}

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Anything that runs a query: the pool, or a client inside a transaction the caller owns. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
}

// bigint (int8) columns come back as JS numbers: ids and sizes stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    min: options.minConnections ?? 0,
    connectionTimeoutMillis: (options.connectTimeout ?? 30) * 1000,
    idleTimeoutMillis: (options.idleTimeout ?? 600) * 1000,
    maxLifetimeSeconds: options.maxLifetime ?? 0,
    application_name: options.applicationName ?? 'fc',
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs fn in one transaction on one client; commits on success, rolls back on any error. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
