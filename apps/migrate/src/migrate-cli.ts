// fc-migrate: up, validate, status, create. Returns an exit code; main.ts owns the process.
import {
  createMigrationFile,
  createPool,
  migrateUp,
  migrationStatus,
  redactUrl,
  SchemaNotReadyError,
  validateMigrations,
} from '@fc/db';

export interface MigrateCliContext {
  readonly migrationsDir: string;
  /** database.url from the configuration, used when no URL argument is given. */
  readonly configuredUrl: string | undefined;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const USAGE = `usage: fc-migrate <command> [args]
  up [database-url]        apply pending migrations (one transaction each, under an advisory lock)
  validate [database-url]  check applied migrations against their files (checksums, missing, unknown)
  status [database-url]    list applied and pending migrations
  create <name>            write the next numbered migration file
The database URL defaults to database.url from the configuration (fc.toml, FC_CONFIG_FILE, FC_DATABASE__URL).`;

export async function runMigrateCli(argv: readonly string[], ctx: MigrateCliContext): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? ctx.err : ctx.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'create') {
    const name = args.join(' ').trim();
    if (!name) {
      ctx.err('fc-migrate create: a migration name is required, e.g. `fc-migrate create add build notes`');
      return 2;
    }
    ctx.out(createMigrationFile(ctx.migrationsDir, name));
    return 0;
  }
  if (!['up', 'validate', 'status'].includes(command)) {
    ctx.err(`fc-migrate: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  if (args.length > 1) {
    ctx.err(`fc-migrate ${command}: expected at most one argument (the database URL)`);
    return 2;
  }
  const url = args[0] ?? ctx.configuredUrl;
  if (!url) {
    ctx.err(`fc-migrate ${command}: no database URL given and database.url is not configured`);
    return 2;
  }
  const pool = createPool({ url, maxConnections: 2, connectTimeout: 10, applicationName: 'fc-migrate' });
  try {
    switch (command) {
      case 'up': {
        const { applied } = await migrateUp(pool, ctx.migrationsDir);
        if (applied.length === 0) ctx.out(`${redactUrl(url)}: already up to date`);
        for (const m of applied) ctx.out(`applied ${m.fileName}`);
        return 0;
      }
      case 'validate': {
        const problems = await validateMigrations(pool, ctx.migrationsDir);
        if (problems.length === 0) {
          ctx.out(`${redactUrl(url)}: migrations valid`);
          return 0;
        }
        for (const p of problems) ctx.err(p.message);
        return 1;
      }
      default: {
        const status = await migrationStatus(pool, ctx.migrationsDir);
        for (const a of status.applied)
          ctx.out(`applied  ${String(a.version).padStart(4, '0')}_${a.name}  ${a.appliedAt.toISOString()}`);
        for (const p of status.pending) ctx.out(`pending  ${p.fileName}`);
        for (const p of status.problems.filter((x) => x.kind !== 'pending')) ctx.err(p.message);
        return status.problems.some((p) => p.kind !== 'pending') ? 1 : 0;
      }
    }
  } catch (e) {
    if (e instanceof SchemaNotReadyError) ctx.err(e.message);
    else ctx.err(`fc-migrate ${command} failed for ${redactUrl(url)}: ${(e as Error).message}`);
    return 1;
  } finally {
    await pool.end();
  }
}
