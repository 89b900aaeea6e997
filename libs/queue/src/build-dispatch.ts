// Which of the build jobs a queue runner holds (fetched, waiting for a Nix slot) goes first, in
// pg-boss's fetch order (priority, then creation), and whether a job still queued would be fetched
// before it: a job fetched early must not overtake one bumped or queued since.
import { z } from 'zod';
import { queryRows, type Queryable } from '@fc/db';
import { BOSS_SCHEMA } from './boss';
import { QueueName } from './job-registry';

export interface HeldBuildJob {
  readonly jobId: string;
  /** A queued, due job would be fetched before this one (higher priority, or as high and older). */
  readonly passed: boolean;
}

const heldRow = z.object({ id: z.string(), passed: z.boolean() });

/**
 * The held jobs among `jobIds` best first (ties in pg-boss's order: the lower build id first), each
 * flagged when the best queued job beats it. One statement; the queued side reads pg-boss's fetch
 * index (name, priority, created_on, start_after) for one row.
 */
export async function rankHeldBuildJobs(db: Queryable, jobIds: readonly string[]): Promise<HeldBuildJob[]> {
  const rows = await queryRows(
    db,
    heldRow,
    `WITH best AS (
       SELECT priority, created_on FROM ${BOSS_SCHEMA}.job
       WHERE name = $1 AND state < 'active' AND NOT blocked AND start_after <= ${BOSS_SCHEMA}.job_now()
       ORDER BY priority DESC, created_on LIMIT 1
     )
     SELECT h.id::text AS id,
            coalesce(b.priority > h.priority OR (b.priority = h.priority AND b.created_on < h.created_on), false)
              AS passed
     FROM ${BOSS_SCHEMA}.job h LEFT JOIN best b ON true
     WHERE h.name = $1 AND h.id = ANY($2::uuid[])
     ORDER BY h.priority DESC, h.created_on, (h.data->>'buildId')::bigint`,
    [QueueName.BuildDerivation, jobIds],
  );
  return rows.map((r) => ({ jobId: r.id, passed: r.passed }));
}
