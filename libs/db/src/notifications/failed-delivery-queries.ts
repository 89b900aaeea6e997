// The admin's view of notification deliveries that failed for good, and reopening one for a retry.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows } from '../sql';
import { NOTIFICATION_KINDS } from './notification-delivery-queries';

export const failedDeliveryRow = z.object({
  id: z.number(),
  buildId: z.number(),
  kind: z.enum(NOTIFICATION_KINDS),
  target: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  httpStatus: z.number().nullable(),
  exitCode: z.number().nullable(),
  lastAttemptAt: z.date().nullable(),
  buildStoppedAt: z.date(),
  /** False once the build has finished again: this delivery reported an older finish. */
  current: z.boolean(),
  job: z.string(),
  buildStatus: z.number().nullable(),
  jobsetName: z.string(),
  projectName: z.string(),
});
export type FailedDeliveryRow = z.output<typeof failedDeliveryRow>;

/** Failed deliveries, newest first, `limit` of them with ids below `beforeId` (keyset). */
export async function listFailedDeliveries(
  db: Queryable,
  limit: number,
  beforeId?: number,
): Promise<FailedDeliveryRow[]> {
  return queryRows(
    db,
    failedDeliveryRow,
    `SELECT d.id, d.build_id, d.kind, d.target, d.attempts, d.last_error, d.http_status, d.exit_code,
       d.last_attempt_at, d.build_stopped_at, (b.stopped_at IS NOT DISTINCT FROM d.build_stopped_at) AS current,
       b.job, b.build_status, js.name AS jobset_name, p.name AS project_name
     FROM notification_deliveries d
     JOIN builds b ON b.id = d.build_id
     JOIN jobsets js ON js.id = b.jobset_id
     JOIN projects p ON p.id = b.project_id
     WHERE d.status = 'failed' AND ($2::bigint IS NULL OR d.id < $2)
     ORDER BY d.id DESC LIMIT $1`,
    [limit, beforeId ?? null],
  );
}

/**
 * Puts a failed delivery of the build's latest finish back to pending; returns its build, or
 * undefined when it is not failed or reports a finish the build has since left behind.
 */
export async function reopenFailedDelivery(
  db: Queryable,
  id: number,
): Promise<{ buildId: number } | undefined> {
  return queryMaybeOne(
    db,
    z.object({ buildId: z.number() }),
    `UPDATE notification_deliveries d SET status = 'pending', retryable = false
     FROM builds b
     WHERE d.id = $1 AND d.status = 'failed' AND b.id = d.build_id AND b.finished
       AND b.stopped_at = d.build_stopped_at
     RETURNING d.build_id`,
    [id],
  );
}

/** A delivery's status, to tell "no such delivery" from "not retryable" (undefined: none). */
export async function deliveryStatus(db: Queryable, id: number): Promise<string | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ status: z.string() }),
    'SELECT status FROM notification_deliveries WHERE id = $1',
    [id],
  );
  return row?.status;
}

/** Puts every failed delivery of the build's latest finish back to pending; returns how many. */
export async function reopenFailedDeliveriesOfBuild(db: Queryable, buildId: number): Promise<number> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `UPDATE notification_deliveries d SET status = 'pending', retryable = false
     FROM builds b
     WHERE d.build_id = $1 AND d.status = 'failed' AND b.id = d.build_id AND b.stopped_at = d.build_stopped_at
     RETURNING d.id`,
    [buildId],
  );
  return rows.length;
}
