// What every daemon does first with its database: open the pool and refuse a schema it does not know.
import { createPool, type Pool } from './pool';
import { assertSchemaCurrent, SchemaNotReadyError } from './migrations/migrator';

export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

export interface DatabaseSettings {
  readonly url: string;
  readonly max_connections: number;
  readonly min_connections: number;
  readonly connect_timeout: number;
  readonly idle_timeout: number;
  readonly max_lifetime: number;
}

export async function openDatabase(
  settings: DatabaseSettings,
  options: {
    applicationName: string;
    migrationsDir: string;
    maxConnections?: number;
    /** PostgreSQL settings of every connection (createPool's settings). */
    settings?: Readonly<Record<string, string>>;
  },
): Promise<Pool> {
  const pool = createPool({
    url: settings.url,
    maxConnections: options.maxConnections ?? settings.max_connections,
    minConnections: Math.min(settings.min_connections, options.maxConnections ?? settings.max_connections),
    connectTimeout: settings.connect_timeout,
    idleTimeout: settings.idle_timeout,
    maxLifetime: settings.max_lifetime,
    applicationName: options.applicationName,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  try {
    await assertSchemaCurrent(pool, options.migrationsDir);
  } catch (e) {
    await pool.end().catch(() => undefined);
    if (e instanceof SchemaNotReadyError) throw e;
    throw new DatabaseUnavailableError(
      `cannot use the database at ${redactUrl(settings.url)}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  return pool;
}

/** The URL with any password replaced, for log lines and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database url)';
  }
}
