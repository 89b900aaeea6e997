// The dashboard's queue: unfinished builds in the order queue runners take them (bumped first, then
// meta.schedulingPriority, then lower id: Hydra's order), and running builds with the machine and
// the queue runner running each. Both read only the partial index of unfinished builds.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryRows } from '../sql';

export const queuedBuildRow = z.object({
  id: z.number(),
  projectName: z.string(),
  jobsetName: z.string(),
  job: z.string(),
  nixName: z.string().nullable(),
  system: z.string(),
  priority: z.number(),
  globalPriority: z.number(),
  createdAt: z.date(),
});
export type QueuedBuildRow = z.output<typeof queuedBuildRow>;

/** The first `limit` queued builds in the order they will be built. */
export async function listQueuedBuildsInOrder(db: Queryable, limit: number): Promise<QueuedBuildRow[]> {
  return queryRows(
    db,
    queuedBuildRow,
    // The page's ids from builds_queue_order_idx alone first: joined before the LIMIT, every queued
    // build's row was read (9,600 of them in the api bench: 16 ms, 10 of them in that scan).
    `WITH page AS MATERIALIZED (
       SELECT b.id FROM builds b WHERE NOT b.finished AND b.started_at IS NULL
       ORDER BY b.global_priority DESC, b.priority DESC, b.id LIMIT $1)
     SELECT b.id, p.name AS project_name, j.name AS jobset_name, b.job, b.nix_name, b.system, b.priority,
       b.global_priority, b.created_at
     FROM page JOIN builds b ON b.id = page.id
       JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id
     ORDER BY b.global_priority DESC, b.priority DESC, b.id`,
    [limit],
  );
}

export const queueRunningBuildRow = queuedBuildRow.extend({
  startedAt: z.date(),
  runner: z.string().nullable(),
  /** The machine of the step being built ('' while none is: substituting, or not started yet). */
  machine: z.string(),
});
export type RunningBuildRow = z.output<typeof queueRunningBuildRow>;

/** Running builds, longest running first. */
export async function listRunningBuilds(db: Queryable, limit: number): Promise<RunningBuildRow[]> {
  return queryRows(
    db,
    queueRunningBuildRow,
    `SELECT b.id, p.name AS project_name, j.name AS jobset_name, b.job, b.nix_name, b.system, b.priority,
       b.global_priority, b.created_at, b.started_at, b.runner,
       coalesce((SELECT string_agg(DISTINCT nullif(s.machine, ''), ', ') FROM build_steps s
                 WHERE s.build_id = b.id AND s.busy), '') AS machine
     FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id
     WHERE NOT b.finished AND b.started_at IS NOT NULL
     ORDER BY b.started_at, b.id
     LIMIT $1`,
    [limit],
  );
}
