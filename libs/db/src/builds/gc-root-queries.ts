// Which builds' GC roots must stay: kept builds, and builds of each jobset's keep_nr newest evaluations.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryRows } from '../sql';

/** Of `buildIds`, those whose outputs must stay rooted whatever their age. */
export async function buildsWhoseRootsStay(db: Queryable, buildIds: readonly number[]): Promise<Set<number>> {
  if (buildIds.length === 0) return new Set();
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `WITH wanted AS (SELECT unnest($1::bigint[]) AS id),
     newest AS (
       SELECT e.id FROM jobsets j
       CROSS JOIN LATERAL (
         SELECT id FROM evaluations WHERE jobset_id = j.id AND status IN ('succeeded', 'unchanged')
         ORDER BY id DESC LIMIT j.keep_nr
       ) e
       WHERE j.id IN (SELECT b.jobset_id FROM builds b JOIN wanted w ON w.id = b.id)
     )
     SELECT b.id FROM builds b JOIN wanted w ON w.id = b.id WHERE b.keep
     UNION
     SELECT eb.build_id FROM evaluation_builds eb JOIN wanted w ON w.id = eb.build_id
     WHERE eb.evaluation_id IN (SELECT id FROM newest)`,
    [buildIds],
  );
  return new Set(rows.map((r) => r.id));
}

/** Of `buildIds`, those that still exist (a deleted build's root always goes). */
export async function existingBuildIds(db: Queryable, buildIds: readonly number[]): Promise<Set<number>> {
  if (buildIds.length === 0) return new Set();
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    'SELECT id FROM builds WHERE id = ANY($1::bigint[])',
    [buildIds],
  );
  return new Set(rows.map((r) => r.id));
}
