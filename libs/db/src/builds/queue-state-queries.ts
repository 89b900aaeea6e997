// What fc-server's /metrics reports of the queues, in one statement per scrape: unfinished builds per
// system with the oldest queued one's wait (one pass over the partial index of unfinished builds),
// and running evaluations (the partial index of running evaluations).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryOne } from '../sql';

export const QUEUE_STATE_SQL = `SELECT
    (SELECT coalesce(json_agg(json_build_object('system', u.system, 'queued', u.queued, 'running', u.running,
         'oldestQueuedAgeSeconds', u.oldest_queued_age_seconds) ORDER BY u.system), '[]'::json) FROM (
       SELECT system,
         count(*) FILTER (WHERE started_at IS NULL)::int AS queued,
         count(*) FILTER (WHERE started_at IS NOT NULL)::int AS running,
         coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE started_at IS NULL)), 0)::float8
           AS oldest_queued_age_seconds
       FROM builds WHERE NOT finished GROUP BY system) u) AS builds,
    (SELECT count(*)::int FROM evaluations WHERE status = 'running') AS evaluations_running`;

const queueStateRow = z.object({
  builds: z.array(
    z.object({
      system: z.string(),
      queued: z.number(),
      running: z.number(),
      oldestQueuedAgeSeconds: z.number(),
    }),
  ),
  evaluationsRunning: z.number(),
});

export interface QueueState {
  /** Unfinished builds per system. */
  readonly builds: { system: string; queued: number; running: number }[];
  /** Seconds the oldest queued build has waited; 0 when none is queued. */
  readonly oldestQueuedAgeSeconds: number;
  readonly evaluationsRunning: number;
}

export async function queueState(db: Queryable): Promise<QueueState> {
  const row = await queryOne(db, queueStateRow, QUEUE_STATE_SQL);
  return {
    builds: row.builds.map((b) => ({ system: b.system, queued: b.queued, running: b.running })),
    oldestQueuedAgeSeconds: Math.max(0, ...row.builds.map((b) => b.oldestQueuedAgeSeconds)),
    evaluationsRunning: row.evaluationsRunning,
  };
}
