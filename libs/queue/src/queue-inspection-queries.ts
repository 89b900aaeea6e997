// Reads of pg-boss's own tables for the admin's queue inspection: per queue the jobs in each live
// state, the oldest waiting job, recent throughput; jobs of one state with the build or jobset they
// are about; the daemons' pg-boss instances (heartbeats) and pg-boss's warnings. Every count reads
// pg-boss's partial index of live and failed jobs, or a bounded range of its completion index: none
// scans the retained history.
import { z } from 'zod';
import { queryMaybeOne, queryRows, type Queryable } from '@fc/db';
import { BOSS_SCHEMA } from './boss';
import { DAEMON_QUEUES, QueueName } from './job-registry';

export const INSPECTED_JOB_STATES = [
  'created',
  'retry',
  'active',
  'completed',
  'cancelled',
  'failed',
] as const;
export type InspectedJobState = (typeof INSPECTED_JOB_STATES)[number];

const queueOverviewRow = z.object({
  name: z.string(),
  policy: z.string(),
  retryLimit: z.number(),
  deadLetter: z.string().nullable(),
  /** pg-boss's monitor's count of every retained job (refreshed each monitor pass). */
  retained: z.number(),
  countedOn: z.date().nullable(),
  waiting: z.number(),
  deferred: z.number(),
  retrying: z.number(),
  active: z.number(),
  failed: z.number(),
  oldestWaitingAt: z.date().nullable(),
  completedLastHour: z.number(),
  failedLastDay: z.number(),
});
export type QueueOverviewRow = z.output<typeof queueOverviewRow>;

export async function queueOverview(db: Queryable): Promise<QueueOverviewRow[]> {
  return queryRows(
    db,
    queueOverviewRow,
    `SELECT q.name, q.policy, q.retry_limit, q.dead_letter, q.total_count AS retained, q.monitor_on AS counted_on,
       coalesce(c.waiting, 0) AS waiting, coalesce(c.deferred, 0) AS deferred, coalesce(c.retrying, 0) AS retrying,
       coalesce(c.active, 0) AS active, coalesce(c.failed, 0) AS failed, c.oldest_waiting_at,
       (SELECT count(*)::int FROM ${BOSS_SCHEMA}.job j
        WHERE j.name = q.name AND j.completed_on > now() - interval '1 hour' AND j.state = 'completed')
         AS completed_last_hour,
       (SELECT count(*)::int FROM ${BOSS_SCHEMA}.job j
        WHERE j.name = q.name AND j.completed_on > now() - interval '1 day' AND j.state = 'failed')
         AS failed_last_day
     FROM ${BOSS_SCHEMA}.queue q
     LEFT JOIN (
       SELECT name,
         count(*) FILTER (WHERE state = 'created' AND start_after <= now())::int AS waiting,
         count(*) FILTER (WHERE state = 'created' AND start_after > now())::int AS deferred,
         count(*) FILTER (WHERE state = 'retry')::int AS retrying,
         count(*) FILTER (WHERE state = 'active')::int AS active,
         count(*) FILTER (WHERE state = 'failed')::int AS failed,
         min(created_on) FILTER (WHERE state IN ('created', 'retry')) AS oldest_waiting_at
       FROM ${BOSS_SCHEMA}.job WHERE state IN ('created', 'retry', 'active', 'failed') GROUP BY name
     ) c ON c.name = q.name
     ORDER BY q.name`,
  );
}

export const queueJobRow = z.object({
  id: z.string(),
  queue: z.string(),
  state: z.enum(INSPECTED_JOB_STATES),
  data: z.unknown(),
  output: z.unknown(),
  retryCount: z.number(),
  retryLimit: z.number(),
  /** seconds before a failed attempt's retry (doubled each time with retryBackoff). */
  retryDelay: z.number(),
  retryBackoff: z.boolean(),
  priority: z.number(),
  /** seconds an attempt may run before pg-boss fails it. */
  expireSeconds: z.number(),
  singletonKey: z.string().nullable(),
  /** pg-boss's group: the jobset a build's job belongs to (fair share). */
  groupId: z.string().nullable(),
  createdOn: z.date(),
  startAfter: z.date(),
  startedOn: z.date().nullable(),
  /** The active attempt's last heartbeat. */
  heartbeatOn: z.date().nullable(),
  completedOn: z.date().nullable(),
  keepUntil: z.date(),
  /**
   * What the job is about: its build (build-derivation, notify-build) or jobset (evaluate-jobset; the
   * evaluation's, notify-evaluation).
   */
  buildId: z.number().nullable(),
  buildJob: z.string().nullable(),
  buildFinished: z.boolean().nullable(),
  buildStatus: z.number().nullable(),
  buildStartedAt: z.date().nullable(),
  jobsetId: z.number().nullable(),
  jobsetName: z.string().nullable(),
  projectName: z.string().nullable(),
});
export type QueueJobRow = z.output<typeof queueJobRow>;

const JOB_SELECT = `SELECT j.id::text AS id, j.name AS queue, j.state::text AS state, j.data, j.output,
    j.retry_count, j.retry_limit, j.retry_delay, j.retry_backoff, j.priority, j.expire_seconds, j.singleton_key,
    j.group_id, j.created_on, j.start_after, j.started_on, j.heartbeat_on, j.completed_on, j.keep_until,
    b.id AS build_id, b.job AS build_job, b.finished AS build_finished, b.build_status,
    b.started_at AS build_started_at, js.id AS jobset_id, js.name AS jobset_name, p.name AS project_name
  FROM ${BOSS_SCHEMA}.job j
  LEFT JOIN builds b ON b.id = CASE WHEN j.data->>'buildId' ~ '^[0-9]{1,18}$' THEN (j.data->>'buildId')::bigint END
  LEFT JOIN evaluations ev
    ON ev.id = CASE WHEN j.data->>'evaluationId' ~ '^[0-9]{1,18}$' THEN (j.data->>'evaluationId')::bigint END
  LEFT JOIN jobsets js ON js.id = coalesce(
    b.jobset_id, ev.jobset_id, CASE WHEN j.data->>'jobsetId' ~ '^[0-9]{1,18}$' THEN (j.data->>'jobsetId')::bigint END)
  LEFT JOIN projects p ON p.id = js.project_id`;

export interface QueueJobCursor {
  readonly createdOn: Date;
  readonly id: string;
}

/** Jobs of one queue in one state, newest first, `limit` after the cursor (keyset: no offset scan). */
export async function listQueueJobs(
  db: Queryable,
  queue: string,
  state: InspectedJobState,
  limit: number,
  before?: QueueJobCursor,
): Promise<QueueJobRow[]> {
  const values: unknown[] = [queue, state, limit];
  let after = '';
  if (before) {
    values.push(before.createdOn, before.id);
    after = 'AND (j.created_on, j.id) < ($4, $5::uuid)';
  }
  return queryRows(
    db,
    queueJobRow,
    `${JOB_SELECT} WHERE j.name = $1 AND j.state = $2::${BOSS_SCHEMA}.job_state ${after}
     ORDER BY j.created_on DESC, j.id DESC LIMIT $3`,
    values,
  );
}

export async function findQueueJob(
  db: Queryable,
  queue: string,
  id: string,
): Promise<QueueJobRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return queryMaybeOne(db, queueJobRow, `${JOB_SELECT} WHERE j.name = $1 AND j.id = $2::uuid`, [queue, id]);
}

/** A job of any of `queues` by its id (the admin's search box): one primary-key probe per queue. */
export async function findJobInQueues(
  db: Queryable,
  queues: readonly string[],
  id: string,
): Promise<QueueJobRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return queryMaybeOne(db, queueJobRow, `${JOB_SELECT} WHERE j.name = ANY($1) AND j.id = $2::uuid`, [
    queues,
    id,
  ]);
}

/** The build-derivation job a build was last queued with (builds.queue_job_id). */
export async function findBuildQueueJob(db: Queryable, buildId: number): Promise<QueueJobRow | undefined> {
  return queryMaybeOne(
    db,
    queueJobRow,
    `${JOB_SELECT} WHERE j.name = $1 AND j.id = (SELECT queue_job_id::uuid FROM builds WHERE id = $2)`,
    [QueueName.BuildDerivation, buildId],
  );
}

const instanceRow = z.object({
  id: z.string(),
  name: z.string().nullable(),
  host: z.string(),
  pid: z.number(),
  version: z.string(),
  nodeVersion: z.string(),
  heartbeatSeconds: z.number(),
  startedOn: z.date(),
  heartbeatOn: z.date(),
  stoppedOn: z.date().nullable(),
  /** The queues this daemon works (pg-boss's record of its workers, and those its kind always works). */
  queues: z.array(z.string()),
});
export type DaemonInstanceRow = z.output<typeof instanceRow>;

/** Every pg-boss instance still registered: one per running daemon, each with its last heartbeat. */
export async function daemonInstances(db: Queryable): Promise<DaemonInstanceRow[]> {
  const rows = await queryRows(
    db,
    instanceRow,
    `SELECT id::text AS id, name, host, pid, version, node_version, heartbeat_seconds, started_on, heartbeat_on,
       stopped_on, ARRAY(SELECT DISTINCT w->>'queue' FROM jsonb_array_elements(workers) w
                         WHERE w->>'queue' IS NOT NULL ORDER BY 1) AS queues
     FROM ${BOSS_SCHEMA}.instance ORDER BY name, host, pid`,
  );
  return rows.map((d) => ({
    ...d,
    queues: [...new Set([...d.queues, ...(DAEMON_QUEUES[d.name ?? ''] ?? [])])].sort(),
  }));
}

const warningRow = z.object({ type: z.string(), message: z.string(), createdOn: z.date() });
export type BossWarningRow = z.output<typeof warningRow>;

/** pg-boss's latest warnings (slow queries, queue backlogs, clock skew), newest first. */
export async function bossWarnings(db: Queryable, limit: number): Promise<BossWarningRow[]> {
  return queryRows(
    db,
    warningRow,
    `SELECT type, message, created_on FROM ${BOSS_SCHEMA}.warning ORDER BY created_on DESC LIMIT $1`,
    [limit],
  );
}
