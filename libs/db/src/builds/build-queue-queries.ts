// The build-row side of queueing: what enqueue, cancel, restart and bump change on `builds`.
// Every function takes the caller's connection, so the row change and the pg-boss call share a transaction.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryRows } from '../sql';

export const buildQueueRow = z.object({
  id: z.number(),
  jobsetId: z.number(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  startedAt: z.date().nullable(),
  priority: z.number(),
  globalPriority: z.number(),
  queueJobId: z.string().nullable(),
  isAggregate: z.boolean(),
});
export type BuildQueueRow = z.output<typeof buildQueueRow>;

const COLUMNS =
  'id, jobset_id, finished, build_status, started_at, priority, global_priority, queue_job_id, is_aggregate';

export async function lockBuildForQueue(db: Queryable, buildId: number): Promise<BuildQueueRow | undefined> {
  return queryMaybeOne(db, buildQueueRow, `SELECT ${COLUMNS} FROM builds WHERE id = $1 FOR UPDATE`, [
    buildId,
  ]);
}

export async function setBuildQueueJob(db: Queryable, buildId: number, queueJobId: string): Promise<void> {
  await execute(db, 'UPDATE builds SET queue_job_id = $2 WHERE id = $1', [buildId, queueJobId]);
}

/**
 * Hydra's bump: the build's global priority becomes one more than any queued build's. Only unfinished
 * builds compete for the queue, so the max is taken over them (builds_unfinished_idx), not over every
 * build ever made.
 */
export async function raiseGlobalPriority(db: Queryable, buildId: number): Promise<number> {
  const rows = await queryRows(
    db,
    z.object({ globalPriority: z.number() }),
    `UPDATE builds SET global_priority =
       (SELECT coalesce(max(global_priority), 0) + 1 FROM builds WHERE NOT finished)
     WHERE id = $1 RETURNING global_priority`,
    [buildId],
  );
  return rows[0]?.globalPriority ?? 0;
}

/** Ids of an evaluation's finished builds whose status is in `statuses`. */
export async function evaluationBuildIdsWithStatus(
  db: Queryable,
  evaluationId: number,
  statuses: readonly number[],
): Promise<number[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `SELECT b.id FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id
     WHERE eb.evaluation_id = $1 AND b.finished AND b.build_status = ANY($2::smallint[])
     ORDER BY b.id`,
    [evaluationId, statuses],
  );
  return rows.map((r) => r.id);
}
