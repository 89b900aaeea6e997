// Which notify-build jobs go with a build's transitions beyond its finish (always reported).
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
