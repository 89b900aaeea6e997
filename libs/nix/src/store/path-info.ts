// Store path facts through `nix path-info --json -S`: validity, NAR size and closure size. On the
// local store, when its database is readable (the queue runner runs beside its store), the same
// facts come straight from Nix's SQLite database: no process per build.
import { accessSync, constants } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { execa } from 'execa';
import { z } from 'zod';

const pathInfoRow = z.object({
  path: z.string(),
  valid: z.boolean().optional(),
  narSize: z.number().optional(),
  closureSize: z.number().optional(),
});

export interface StorePathInfo {
  readonly path: string;
  readonly valid: boolean;
  readonly narSize: number | undefined;
  readonly closureSize: number | undefined;
}

export function parsePathInfoJson(json: string): StorePathInfo[] {
  return z
    .array(pathInfoRow)
    .parse(JSON.parse(json))
    .map((r) => ({
      path: r.path,
      valid: r.valid !== false && r.narSize !== undefined,
      narSize: r.narSize,
      closureSize: r.closureSize,
    }));
}

const LOCAL_STORE_DIR = '/nix/store/';
const LOCAL_DB = '/nix/var/nix/db/db.sqlite';

interface LocalStoreDb {
  readonly info: StatementSync;
  readonly closure: StatementSync;
  readonly valid: StatementSync;
}

/** undefined: not tried yet; null: the local database cannot be read here (use `nix path-info`). */
let localDb: LocalStoreDb | null | undefined;

function openLocalDb(): LocalStoreDb | null {
  if (localDb !== undefined) return localDb;
  try {
    // WAL readers need write access to the database's -shm file, i.e. the store's owner.
    accessSync(LOCAL_DB, constants.R_OK | constants.W_OK);
    const db = new DatabaseSync(LOCAL_DB, { readOnly: true, timeout: 10_000 });
    localDb = {
      info: db.prepare('SELECT id, narSize FROM ValidPaths WHERE path = ?'),
      // `nix path-info -S`: the NAR sizes of the path's closure (itself and everything it references).
      closure: db.prepare(
        `WITH RECURSIVE c(id) AS (SELECT ? UNION SELECT r.reference FROM Refs r JOIN c ON r.referrer = c.id)
         SELECT sum(v.narSize) AS size FROM c JOIN ValidPaths v ON v.id = c.id`,
      ),
      // Many paths in one query: a JSON array of paths in, the valid ones out.
      valid: db.prepare('SELECT path FROM ValidPaths WHERE path IN (SELECT value FROM json_each(?))'),
    };
  } catch {
    localDb = null;
  }
  return localDb;
}

function queryLocalDb(db: LocalStoreDb, paths: readonly string[]): StorePathInfo[] {
  return paths.map((path) => {
    const row = db.info.get(path) as { id: number; narSize: number | null } | undefined;
    if (!row || row.narSize === null) return { path, valid: false, narSize: undefined, closureSize: undefined };
    const closure = db.closure.get(row.id) as { size: number | null } | undefined;
    return { path, valid: true, narSize: Number(row.narSize), closureSize: Number(closure?.size ?? row.narSize) };
  });
}

/**
 * The valid ones among local store paths, from Nix's database in one query; undefined when the
 * database cannot be read here or is busy (ask Nix instead).
 */
export function localValidPaths(paths: readonly string[]): Set<string> | undefined {
  const db = paths.every((p) => p.startsWith(LOCAL_STORE_DIR)) ? openLocalDb() : null;
  if (!db) return undefined;
  try {
    const rows = db.valid.all(JSON.stringify(paths)) as { path: string }[];
    return new Set(rows.map((r) => r.path));
  } catch {
    return undefined;
  }
}

export async function queryPathInfo(paths: readonly string[], nix = 'nix'): Promise<StorePathInfo[]> {
  if (paths.length === 0) return [];
  const db = nix === 'nix' && paths.every((p) => p.startsWith(LOCAL_STORE_DIR)) ? openLocalDb() : null;
  if (db) {
    try {
      return queryLocalDb(db, paths);
    } catch {
      // A busy or changed database: ask Nix.
    }
  }
  const r = await execa(
    nix,
    ['--extra-experimental-features', 'nix-command', 'path-info', '--json', '--closure-size', '--', ...paths],
    { reject: false, stdin: 'ignore' },
  );
  // Exit 1 with JSON on stdout means some path is invalid; that is an answer, not an error.
  if (!r.stdout.trim().startsWith('[')) {
    throw new Error(`nix path-info failed (exit ${r.exitCode ?? 'signal'}): ${r.stderr.trim()}`);
  }
  return parsePathInfoJson(r.stdout);
}
