// The failed-paths cache (Hydra's FailedPaths): written when a step fails, read before a build runs,
// cleared by a restart of a build that needs the failed derivation.
import { z } from 'zod';
import { execute, queryRows, type Queryable } from '@fc/db';

export interface FailedPath {
  readonly path: string;
  readonly drvPath: string;
}

export async function insertFailedPaths(
  db: Queryable,
  buildId: number,
  paths: readonly FailedPath[],
): Promise<void> {
  if (paths.length === 0) return;
  await execute(
    db,
    `INSERT INTO failed_paths (path, drv_path, build_id)
     SELECT * FROM unnest($1::text[], $2::text[], array_fill($3::bigint, ARRAY[cardinality($1::text[])]))
     ON CONFLICT (path) DO NOTHING`,
    [paths.map((p) => p.path), paths.map((p) => p.drvPath), buildId],
  );
}

/** Whether the cache holds anything (the check before each build is skipped when it is empty). */
export async function hasFailedPaths(db: Queryable): Promise<boolean> {
  const rows = await queryRows(
    db,
    z.object({ one: z.number() }),
    'SELECT 1 AS one FROM failed_paths LIMIT 1',
  );
  return rows.length > 0;
}

export const cachedFailureRow = z.object({
  path: z.string(),
  drvPath: z.string(),
  buildId: z.number().nullable(),
});

/** The entries among `paths`. */
export async function failedPathsAmong(
  db: Queryable,
  paths: readonly string[],
): Promise<z.output<typeof cachedFailureRow>[]> {
  if (paths.length === 0) return [];
  return queryRows(
    db,
    cachedFailureRow,
    'SELECT path, drv_path, build_id FROM failed_paths WHERE path = ANY($1::text[]) ORDER BY path',
    [paths],
  );
}

/** The build a derivation failed in, when its outputs are in the cache (null: the build is gone). */
export async function failedDerivation(
  db: Queryable,
  drvPath: string,
): Promise<{ buildId: number | null } | undefined> {
  const [row] = await queryRows(
    db,
    z.object({ buildId: z.number().nullable() }),
    'SELECT build_id FROM failed_paths WHERE drv_path = $1 ORDER BY created_at DESC LIMIT 1',
    [drvPath],
  );
  return row;
}

/**
 * Clears what a restart of the build clears (Hydra's restartBuilds): entries of its outputs and of the
 * derivations its steps built. Run before its steps are reset.
 */
export async function clearFailedPathsOfBuild(db: Queryable, buildId: number): Promise<number> {
  return execute(
    db,
    `DELETE FROM failed_paths f
     WHERE f.path IN (SELECT path FROM build_outputs WHERE build_id = $1)
        OR f.drv_path IN (SELECT drv_path FROM build_steps WHERE build_id = $1
                          UNION SELECT drv_path FROM builds WHERE id = $1)`,
    [buildId],
  );
}

/** How many output paths the cache holds. */
export async function countFailedPaths(db: Queryable): Promise<number> {
  const [row] = await queryRows(
    db,
    z.object({ n: z.number() }),
    'SELECT count(*)::int AS n FROM failed_paths',
  );
  return row?.n ?? 0;
}

/** Empties the cache (Hydra's admin "clear failed builds cache"); returns how many entries went. */
export async function clearAllFailedPaths(db: Queryable): Promise<number> {
  return execute(db, 'DELETE FROM failed_paths');
}
