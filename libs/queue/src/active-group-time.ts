// How long each group's claimed jobs have held a worker so far: the running half of fair sharing.
// Read from pg-boss's own claims (state 'active', started_on set by the claim itself), so a job is
// counted from the statement that claimed it, before its handler has done anything: two claims made
// one after the other always see each other (consume-in-turns.ts serializes them).
import { z } from 'zod';
import { queryRows, type Queryable } from '@fc/db';
import { BOSS_SCHEMA } from './boss-schema';
import type { QueueName } from './job-registry';

/** Per group of queue $1: seconds its active jobs have run, each counted as at least a second. Index job_i7. */
export const ACTIVE_GROUP_TIME_SQL = `
  SELECT group_id, sum(greatest(extract(epoch FROM ${BOSS_SCHEMA}.job_now() - started_on), 1))::float8 AS seconds
  FROM ${BOSS_SCHEMA}.job
  WHERE name = $1 AND state = 'active' AND group_id IS NOT NULL
  GROUP BY group_id`;

const activeGroupRow = z.object({ groupId: z.string(), seconds: z.number() });

/** Group id → seconds its claimed (active) jobs in `queue` have held a worker. */
export async function activeGroupSeconds(db: Queryable, queue: QueueName): Promise<Map<string, number>> {
  const rows = await queryRows(db, activeGroupRow, ACTIVE_GROUP_TIME_SQL, [queue]);
  return new Map(rows.map((r) => [r.groupId, r.seconds]));
}
