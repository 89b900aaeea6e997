// Applies, validates and reports FC's migrations. Each migration runs in its own transaction;
// a session advisory lock makes concurrent `up`s safe (the second waits, then finds nothing to do).
import { z } from 'zod';
import type { Pool, PoolClient, Queryable } from '../pool';
import { queryRows } from '../sql';
import { PgErrorCode, pgErrorCode } from '../pg-error-codes';
import { readMigrationFiles, type MigrationFile } from './migration-files';

export const MIGRATIONS_TABLE = 'fc_schema_migrations';
const LOCK_KEY = 7_413_220_001; // arbitrary, FC-specific advisory lock id

const appliedRow = z.object({
  version: z.number(),
  name: z.string(),
  checksum: z.string(),
  appliedAt: z.date(),
});
export type AppliedMigration = z.output<typeof appliedRow>;

export interface MigrationProblem {
  readonly version: number;
  readonly kind: 'checksum-mismatch' | 'missing-file' | 'pending';
  readonly message: string;
}

export class SchemaNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaNotReadyError';
  }
}

async function readApplied(db: Queryable): Promise<AppliedMigration[] | undefined> {
  try {
    return await queryRows(
      db,
      appliedRow,
      `SELECT version, name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`,
    );
  } catch (e) {
    if (pgErrorCode(e) === PgErrorCode.UndefinedTable) return undefined;
    throw e;
  }
}

async function withLock<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      return await fn(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export interface MigrateResult {
  readonly applied: readonly MigrationFile[];
}

/** `fc-migrate up`: applies every pending migration in order. Refuses on a tampered history. */
export async function migrateUp(pool: Pool, dir: string): Promise<MigrateResult> {
  const files = readMigrationFiles(dir);
  return withLock(pool, async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = (await readApplied(client)) ?? [];
    const problems = compare(files, applied).filter((p) => p.kind !== 'pending');
    if (problems.length > 0) {
      throw new SchemaNotReadyError(
        `refusing to migrate: the applied migrations differ from ${dir}:\n` +
          problems.map((p) => `  - ${p.message}`).join('\n'),
      );
    }
    const done = new Set(applied.map((a) => a.version));
    const newlyApplied: MigrationFile[] = [];
    for (const file of files) {
      if (done.has(file.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [
          file.version,
          file.name,
          file.checksum,
        ]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${file.fileName} failed: ${(e as Error).message}`, { cause: e });
      }
      newlyApplied.push(file);
    }
    return { applied: newlyApplied };
  });
}

function compare(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationProblem[] {
  const problems: MigrationProblem[] = [];
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const appliedVersions = new Set(applied.map((a) => a.version));
  for (const a of applied) {
    const file = byVersion.get(a.version);
    if (!file) {
      problems.push({
        version: a.version,
        kind: 'missing-file',
        message: `migration ${a.version} (${a.name}) is applied but has no file`,
      });
    } else if (file.checksum !== a.checksum) {
      problems.push({
        version: a.version,
        kind: 'checksum-mismatch',
        message: `migration ${file.fileName} was changed after it was applied (checksum differs)`,
      });
    }
  }
  for (const f of files) {
    if (!appliedVersions.has(f.version))
      problems.push({
        version: f.version,
        kind: 'pending',
        message: `migration ${f.fileName} is not applied`,
      });
  }
  return problems;
}

export interface MigrationStatus {
  readonly applied: readonly AppliedMigration[];
  readonly pending: readonly MigrationFile[];
  readonly problems: readonly MigrationProblem[];
}

export async function migrationStatus(db: Queryable, dir: string): Promise<MigrationStatus> {
  const files = readMigrationFiles(dir);
  const applied = (await readApplied(db)) ?? [];
  const problems = compare(files, applied);
  const appliedVersions = new Set(applied.map((a) => a.version));
  return { applied, pending: files.filter((f) => !appliedVersions.has(f.version)), problems };
}

/** `fc-migrate validate`: every applied migration matches its file, and none is missing or unknown. */
export async function validateMigrations(db: Queryable, dir: string): Promise<readonly MigrationProblem[]> {
  return (await migrationStatus(db, dir)).problems;
}

/**
 * Called by each daemon at start: refuses an unmigrated, partly migrated, tampered or newer schema,
 * saying what to run.
 */
export async function assertSchemaCurrent(db: Queryable, dir: string): Promise<void> {
  const files = readMigrationFiles(dir);
  const applied = await readApplied(db);
  if (applied === undefined || applied.length === 0) {
    throw new SchemaNotReadyError(
      'the database has no FC schema: run `npx fc-migrate up <database-url>` (or `fc-migrate up`) first',
    );
  }
  const known = files.at(-1)?.version ?? 0;
  const newest = applied.at(-1)!.version;
  if (newest > known) {
    throw new SchemaNotReadyError(
      `the database schema is at migration ${newest}, newer than this FC knows (${known}): upgrade FC, or restore a matching database`,
    );
  }
  const problems = compare(files, applied);
  const pending = problems.filter((p) => p.kind === 'pending');
  const broken = problems.filter((p) => p.kind !== 'pending');
  if (broken.length > 0) {
    throw new SchemaNotReadyError(
      "the database schema does not match this FC's migrations (see `npx fc-migrate validate <database-url>`):\n" +
        broken.map((p) => `  - ${p.message}`).join('\n'),
    );
  }
  if (pending.length > 0) {
    throw new SchemaNotReadyError(
      `the database schema is ${pending.length} migration(s) behind: run \`npx fc-migrate up <database-url>\` first`,
    );
  }
}
