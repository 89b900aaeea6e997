// Which notify-build jobs go with a build's transitions beyond its finish (always reported), and the
// notify-evaluation job of a pull request's evaluation.
import type { Queryable } from '@fc/db';
import { QueueName, bossDb, jobPayloadSchemas, type Boss } from '@fc/queue';

export interface BuildNotices {
  /**
   * Report a build's queueing and start too (notify-build `queued` / `started`), for `pending` commit
   * statuses: set when GitHub or Gitea statuses are configured (commitStatusesConfigured).
   */
  readonly pendingStatuses: boolean;
}

export const NO_PENDING_NOTICES: BuildNotices = { pendingStatuses: false };

/** One notify-build job per build for `event`, on the caller's transaction. */
export async function publishNotices(
  db: Queryable,
  boss: Boss,
  buildIds: readonly number[],
  event: 'queued' | 'started' | 'finished',
): Promise<void> {
  if (buildIds.length === 0) return;
  const schema = jobPayloadSchemas[QueueName.NotifyBuild];
  await boss.insert(
    QueueName.NotifyBuild,
    buildIds.map((buildId) => ({ data: schema.parse({ buildId, event }) })),
    { db: bossDb(db) },
  );
}

/**
 * One notify-evaluation job, on the caller's transaction: a pull request's evaluation has ended and
 * its summary status (and its reused builds' statuses at the new head) are to be posted.
 */
export async function publishEvaluationNotice(
  db: Queryable,
  boss: Boss,
  evaluationId: number,
): Promise<void> {
  const schema = jobPayloadSchemas[QueueName.NotifyEvaluation];
  await boss.insert(QueueName.NotifyEvaluation, [{ data: schema.parse({ evaluationId }) }], {
    db: bossDb(db),
  });
}
