// What the queue runners share builders by: each jobset with queued builds, its scheduling shares,
// the builder time its builds used within the recent window (running ones up to now, at least a
// second each so a build just claimed counts), and its oldest queued build.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryRows } from '../sql';

export const jobsetShareRow = z.object({
  jobsetId: z.number(),
  shares: z.number(),
  usedSeconds: z.number(),
  firstQueuedBuildId: z.number(),
});
export type JobsetShareRow = z.output<typeof jobsetShareRow>;

/**
 * $1: the window in seconds. A loose index scan of builds_queued_jobset_idx: one probe per jobset with queued builds. Usage reads builds started within two windows (builds_jobset_started_idx): a build running longer than that (past any timeout) no longer counts.
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
         SELECT sum(greatest(
                  extract(epoch FROM coalesce(b.stopped_at, now())
                                     - greatest(b.started_at, now() - make_interval(secs => $1))),
                  CASE WHEN b.finished THEN 0 ELSE 1 END))
         FROM builds b
         WHERE b.jobset_id = q.jobset_id AND b.started_at > now() - make_interval(secs => 2 * $1)
           AND (NOT b.finished OR b.stopped_at > now() - make_interval(secs => $1))
       ), 0)::float8 AS used_seconds
     FROM queued q JOIN jobsets j ON j.id = q.jobset_id`;

export async function listJobsetShares(db: Queryable, windowSeconds: number): Promise<JobsetShareRow[]> {
  return queryRows(db, jobsetShareRow, listJobsetSharesSql, [windowSeconds]);
}
