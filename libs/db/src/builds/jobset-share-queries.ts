// What the queue runners share builders by: each jobset with queued builds, its scheduling shares,
// the builder time its builds finished within the recent window used (added up per hour in
// jobset_builder_time when they finished), and its oldest queued build. The time of builds still
// running is read from their claims (@fc/queue activeGroupSeconds), which exist from the claim on.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryRows } from '../sql';

export const jobsetShareRow = z.object({
  jobsetId: z.number(),
  shares: z.number(),
  finishedSeconds: z.number(),
  firstQueuedBuildId: z.number(),
});
export type JobsetShareRow = z.output<typeof jobsetShareRow>;

/**
 * $1: the window in seconds. A loose index scan of builds_queued_jobset_idx finds the jobsets with
 * queued builds, one probe each; each one's time is at most 24 rows of jobset_builder_time (its
 * primary key), however many builds it ran.
 */
export const listJobsetSharesSql = `WITH RECURSIVE queued AS (
    (SELECT jobset_id, id AS first_queued_build_id FROM builds
     WHERE NOT finished AND started_at IS NULL ORDER BY jobset_id, id LIMIT 1)
    UNION ALL
    SELECT n.jobset_id, n.id FROM queued q CROSS JOIN LATERAL (
      SELECT jobset_id, id FROM builds
      WHERE NOT finished AND started_at IS NULL AND jobset_id > q.jobset_id
      ORDER BY jobset_id, id LIMIT 1) n
  )
  SELECT q.jobset_id, j.scheduling_shares AS shares, q.first_queued_build_id,
    coalesce((
       SELECT sum(t.seconds) FROM jobset_builder_time t
       WHERE t.jobset_id = q.jobset_id AND t.hour > now() - make_interval(secs => $1)
     ), 0)::float8 AS finished_seconds
  FROM queued q JOIN jobsets j ON j.id = q.jobset_id`;

/** Hours of builder time older than the window: no claim reads them again. */
export async function forgetBuilderTimeBefore(db: Queryable, windowSeconds: number): Promise<number> {
  return execute(db, 'DELETE FROM jobset_builder_time WHERE hour < now() - make_interval(secs => $1)', [
    windowSeconds,
  ]);
}

export async function listJobsetShares(db: Queryable, windowSeconds: number): Promise<JobsetShareRow[]> {
  return queryRows(db, jobsetShareRow, listJobsetSharesSql, [windowSeconds]);
}
