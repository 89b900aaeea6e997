// Claiming the next job of one group (a build of one jobset) from an index. pg-boss can only leave
// groups out of a fetch (`ignoreGroups`); its fetch walks its priority index past every job of the
// groups it leaves out, so with 100,000 builds of one jobset queued, each claim of another jobset's
// build read all 100,000 (about 15 ms idle, 120 ms under load). This claim seeks
// fc_job_group_fetch_idx to the group's next job instead, and marks it taken exactly as pg-boss's
// fetch does (state, started_on, heartbeat_on, retry_count), so pg-boss completes, fails, expires,
// retries and cancels it like any other job.
import { z } from 'zod';
import type { Db } from 'pg-boss';
import { BOSS_SCHEMA } from './boss-schema';
import type { QueueName } from './job-registry';

export const GROUP_FETCH_INDEX = 'fc_job_group_fetch_idx';

/**
 * A group's queued jobs in pg-boss's fetch order (priority, then creation). On the partitioned job
 * table, so every queue's partition has it. Created by ensureQueues at each daemon's start (pg-boss
 * owns the table, and a pg-boss upgrade that rebuilt it would drop the index); the advisory lock
 * keeps two daemons starting at once from racing on it.
 */
export const GROUP_FETCH_INDEX_SQL = `
  SELECT pg_advisory_xact_lock(hashtext('${GROUP_FETCH_INDEX}'));
  CREATE INDEX IF NOT EXISTS ${GROUP_FETCH_INDEX} ON ${BOSS_SCHEMA}.job
    (name, group_id, priority DESC, created_on, start_after)
    WHERE state < 'active' AND NOT blocked AND group_id IS NOT NULL`;

/** The claim of `$2`'s next job in queue `$1`; the same statement pg-boss's fetch runs, for one group. */
export const GROUP_FETCH_SQL = `
  WITH next AS (
    SELECT id FROM ${BOSS_SCHEMA}.job
    WHERE name = $1 AND group_id = $2 AND state < 'active' AND NOT blocked
      AND start_after <= ${BOSS_SCHEMA}.job_now()
    ORDER BY priority DESC, created_on
    LIMIT 1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE ${BOSS_SCHEMA}.job j SET
    state = 'active',
    started_on = ${BOSS_SCHEMA}.job_now(),
    heartbeat_on = ${BOSS_SCHEMA}.job_now(),
    retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
  FROM next
  WHERE j.name = $1 AND j.id = next.id
  RETURNING j.id, j.data, j.retry_count, j.retry_limit, j.heartbeat_seconds`;

/** What a claim hands the worker: enough to run the job, refresh its claim and settle it. */
export interface ClaimedJob {
  readonly id: string;
  readonly data: unknown;
  readonly retryCount: number;
  readonly retryLimit: number;
  readonly heartbeatSeconds: number | null;
}

const claimedRow = z.object({
  id: z.string(),
  data: z.unknown(),
  retry_count: z.number(),
  retry_limit: z.number(),
  heartbeat_seconds: z.number().nullable(),
});

/** Claims the next job of `group` in `queue`, or undefined when it has none ready. */
export async function fetchGroupJob(
  db: Db,
  queue: QueueName,
  group: string,
): Promise<ClaimedJob | undefined> {
  const { rows } = await db.executeSql(GROUP_FETCH_SQL, [queue, group]);
  if (rows.length === 0) return undefined;
  const r = claimedRow.parse(rows[0]);
  return {
    id: r.id,
    data: r.data,
    retryCount: r.retry_count,
    retryLimit: r.retry_limit,
    heartbeatSeconds: r.heartbeat_seconds,
  };
}

/** Creates GROUP_FETCH_INDEX unless it exists. */
export async function ensureGroupFetchIndex(db: Db): Promise<void> {
  await db.executeSql(GROUP_FETCH_INDEX_SQL);
}
