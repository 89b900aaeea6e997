// Build notification deliveries (fc-queue-runner's notify-build consumer): one row per build,
// channel (kind + target) and finish of the build, claimed before each attempt and settled after it.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryOne, queryRows, execute, queryMaybeOne } from '../sql';

export const NOTIFICATION_KINDS = [
  'webhook',
  'run_command',
  'dynamic_run_command',
  'github_status',
  'gitea_status',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notificationDeliveryRow = z.object({
  id: z.number(),
  buildId: z.number(),
  kind: z.enum(NOTIFICATION_KINDS),
  target: z.string(),
  buildStoppedAt: z.date(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  retryable: z.boolean(),
  lastError: z.string().nullable(),
  httpStatus: z.number().nullable(),
  exitCode: z.number().nullable(),
  outputTail: z.string().nullable(),
  createdAt: z.date(),
  lastAttemptAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
});
export type NotificationDeliveryRow = z.output<typeof notificationDeliveryRow>;

const COLUMNS = `id, build_id, kind, target, build_stopped_at, status, attempts, retryable, last_error,
  http_status, exit_code, output_tail, created_at, last_attempt_at, delivered_at`;

export interface DeliveryKey {
  readonly buildId: number;
  readonly kind: NotificationKind;
  readonly target: string;
  /** builds.stopped_at of the finish being reported. */
  readonly buildStoppedAt: Date;
}

/**
 * The delivery row of `key`, created pending if it does not exist yet. A row that is already
 * delivered or failed is returned as it is: the caller skips it.
 */
export async function findOrCreateDelivery(
  db: Queryable,
  key: DeliveryKey,
): Promise<NotificationDeliveryRow> {
  const values = [key.buildId, key.kind, key.target, key.buildStoppedAt];
  await execute(
    db,
    `INSERT INTO notification_deliveries (build_id, kind, target, build_stopped_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (build_id, kind, target, build_stopped_at) DO NOTHING`,
    values,
  );
  return queryOne(
    db,
    notificationDeliveryRow,
    `SELECT ${COLUMNS} FROM notification_deliveries
     WHERE build_id = $1 AND kind = $2 AND target = $3 AND build_stopped_at = $4`,
    values,
  );
}

export type DeliveryClaim =
  | { readonly kind: 'claimed'; readonly row: NotificationDeliveryRow }
  /** Another consumer's lease on it has not expired: it may be delivering it right now. */
  | { readonly kind: 'leased' }
  /** Delivered or failed for good meanwhile. */
  | { readonly kind: 'settled' };

/**
 * Claims a pending delivery for one attempt: counts it and leases it for `leaseSeconds`, in one
 * statement that commits at once (no lock is held while it is delivered), so two consumers of a
 * duplicated job never deliver it at the same time. The row's `attempts` after the claim identifies
 * the attempt to settleDelivery.
 */
export async function claimPendingDelivery(
  db: Queryable,
  id: number,
  leaseSeconds: number,
): Promise<DeliveryClaim> {
  const row = await queryMaybeOne(
    db,
    notificationDeliveryRow,
    `UPDATE notification_deliveries SET attempts = attempts + 1, last_attempt_at = now(),
       claimed_until = now() + make_interval(secs => $2)
     WHERE id = $1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
     RETURNING ${COLUMNS}`,
    [id, leaseSeconds],
  );
  if (row) return { kind: 'claimed', row };
  const current = await queryMaybeOne(
    db,
    z.object({ status: z.string() }),
    'SELECT status FROM notification_deliveries WHERE id = $1',
    [id],
  );
  return current?.status === 'pending' ? { kind: 'leased' } : { kind: 'settled' };
}

export interface DeliveryOutcome {
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly retryable: boolean;
  readonly error: string | null;
  readonly httpStatus?: number | null | undefined;
  readonly exitCode?: number | null | undefined;
  readonly outputTail?: string | null | undefined;
}

/**
 * Records what one attempt (the claim's `attempts`) gave: delivered, failed for good, or still pending
 * (to be retried), and ends its lease. Nothing is written when a later attempt has claimed the row
 * since (this attempt's lease expired).
 */
export async function settleDelivery(
  db: Queryable,
  claim: { readonly id: number; readonly attempts: number },
  outcome: DeliveryOutcome,
): Promise<void> {
  await execute(
    db,
    `UPDATE notification_deliveries
     SET status = $2, retryable = $3, last_error = $4, http_status = $5, exit_code = $6, output_tail = $7,
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() END, claimed_until = NULL
     WHERE id = $1 AND attempts = $8`,
    [
      claim.id,
      outcome.status,
      outcome.retryable,
      outcome.error,
      outcome.httpStatus ?? null,
      outcome.exitCode ?? null,
      outcome.outputTail ?? null,
      claim.attempts,
    ],
  );
}

/** Gives up on the still-pending deliveries of one finish of a build (its job ran out of retries). */
export async function failPendingDeliveries(
  db: Queryable,
  buildId: number,
  buildStoppedAt: Date,
  reason: string,
): Promise<number> {
  return execute(
    db,
    `UPDATE notification_deliveries
     SET status = 'failed', last_error = coalesce(last_error || '; ', '') || $3
     WHERE build_id = $1 AND build_stopped_at = $2 AND status = 'pending'`,
    [buildId, buildStoppedAt, reason],
  );
}

/** A build's deliveries, oldest first. */
export async function listBuildDeliveries(
  db: Queryable,
  buildId: number,
): Promise<NotificationDeliveryRow[]> {
  return queryRows(
    db,
    notificationDeliveryRow,
    `SELECT ${COLUMNS} FROM notification_deliveries WHERE build_id = $1 ORDER BY id`,
    [buildId],
  );
}

/** The revisions an evaluation fetched (evaluations.input_revisions: `repository` and each input). */
export async function evaluationInputRevisions(
  db: Queryable,
  evaluationId: number,
): Promise<Record<string, unknown> | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ inputRevisions: z.record(z.string(), z.unknown()) }),
    'SELECT input_revisions FROM evaluations WHERE id = $1',
    [evaluationId],
  );
  return row?.inputRevisions;
}
