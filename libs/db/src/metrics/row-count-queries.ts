// The row counts behind fc-server's installation gauges (migration 1002): statement triggers append
// deltas to row_count_deltas; a scrape folds them into row_counts and reads the sums. No row of
// builds is counted at scrape time.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryRows } from '../sql';

/** Folds the appended deltas into row_counts (concurrent folds never count a delta twice). */
export async function compactRowCounts(db: Queryable): Promise<void> {
  await execute(
    db,
    `WITH moved AS (DELETE FROM row_count_deltas RETURNING name, delta),
          sums AS (SELECT name, sum(delta) AS delta FROM moved GROUP BY name)
     UPDATE row_counts c SET value = c.value + s.delta FROM sums s WHERE c.name = s.name`,
  );
}

const rowCountRow = z.object({ name: z.string(), value: z.coerce.number() });

/**
 * Each count (builds, builds_pending, builds_running, builds_succeeded, builds_failed, projects,
 * evaluations, channels, remote_builders), deltas not yet folded included.
 */
export async function readRowCounts(db: Queryable): Promise<Map<string, number>> {
  const rows = await queryRows(
    db,
    rowCountRow,
    `SELECT c.name, c.value + coalesce(d.delta, 0) AS value
     FROM row_counts c LEFT JOIN (SELECT name, sum(delta) AS delta FROM row_count_deltas GROUP BY name) d
       USING (name)`,
  );
  return new Map(rows.map((r) => [r.name, r.value]));
}
