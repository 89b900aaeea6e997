// pg-boss jobs not finished, per queue and state, counted live for fc-server's /metrics. The count
// reads pg-boss's partial index of live jobs (name, state, ...), so it costs what the queues hold,
// not their retained history (getQueues' cached counts would be up to a monitor interval stale).
import { z } from 'zod';
import { queryRows, type Queryable } from '@fc/db';
import { BOSS_SCHEMA } from './boss';

export const QUEUE_JOB_COUNTS_SQL = `SELECT name AS queue, state::text AS state, count(*)::int AS count
  FROM ${BOSS_SCHEMA}.job WHERE state IN ('created', 'retry', 'active')
  GROUP BY name, state ORDER BY name, state`;

const row = z.object({ queue: z.string(), state: z.string(), count: z.number() });

export async function queueJobCounts(db: Queryable): Promise<z.output<typeof row>[]> {
  return queryRows(db, row, QUEUE_JOB_COUNTS_SQL);
}
