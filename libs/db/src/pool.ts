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
  /** PostgreSQL settings of every connection (e.g. { jit: 'off' }), sent as its startup options. */
  readonly settings?: Readonly<Record<string, string>>;
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
    ...(options.settings ? { options: startupOptions(options.settings) } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** `-c name=value` for each setting (names and values of letters, digits, `_`, `.`, `-` only). */
export function startupOptions(settings: Readonly<Record<string, string>>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[\w.]+$/.test(name) || !/^[\w.-]+$/.test(value))
        throw new Error(`cannot pass the PostgreSQL setting ${name}`);
      return `-c ${name}=${value}`;
    })
    .join(' ');
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
